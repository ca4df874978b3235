import 'reflect-metadata';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { DomainRuleError } from '@hookledger/domain';
import { AggregateRepository, EventStore, eventTypesProjector, rebuildProjection } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, rowDifference, TestDatabase } from '@hookledger/testing';
import { ArchiveEventTypeCommand, ChangeEventTypeCommand, CreateEventTypeCommand, EventTypeCommandHandlers } from './commands';

let database: TestDatabase;
let db: DataSource;
/** The live rows are snapshotted into scratch tables to compare with a rebuild: only the owner may create tables. */
let owner: DataSource;
let app: TestingModule;
let commands: CommandBus;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 8);
  owner = await openDataSource(database, 1, 'owner');
  app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [...EventTypeCommandHandlers, AggregateRepository, EventStore, { provide: DataSource, useValue: db }],
  }).compile();
  await app.init();
  commands = app.get(CommandBus);
});

afterAll(async () => {
  await app?.close();
  await owner?.destroy();
  await db?.destroy();
  await database?.drop();
});

const actor = 'api-key:key_rebuild';
const create = (name: string, schema: Record<string, unknown> | null = null) => commands.execute(new CreateEventTypeCommand(name, `about ${name}`, schema, actor));
const change = (name: string, changes: ConstructorParameters<typeof ChangeEventTypeCommand>[1]) => commands.execute(new ChangeEventTypeCommand(name, changes, actor));

const difference = (a: string, b: string) => rowDifference(owner, a, b);

describe('the event catalog through the command bus, rebuilt from the store', () => {
  it('rebuilds exactly the rows the live projection wrote, and the same rows again on a second rebuild', async () => {
    await create('invoice.paid', { type: 'object', required: ['amount'] });
    await create('invoice.voided');
    await create('legacy.ping');
    await change('invoice.paid', { description: 'paid in full', schema: { type: 'object' } });
    await change('invoice.voided', { schema: { type: 'object', required: ['reason'] }, archived: true });
    await commands.execute(new ArchiveEventTypeCommand('legacy.ping', actor));
    await change('legacy.ping', { archived: false });
    await change('invoice.paid', { schema: null });
    await commands.execute(new ArchiveEventTypeCommand('invoice.paid', actor));

    await owner.query(`CREATE TABLE live_event_types AS SELECT * FROM event_types`);
    expect(await owner.query(`SELECT name, archived_at IS NOT NULL AS archived, version FROM live_event_types ORDER BY name`)).toEqual([
      { name: 'invoice.paid', archived: true, version: 4 },
      { name: 'invoice.voided', archived: true, version: 3 },
      { name: 'legacy.ping', archived: false, version: 3 },
    ]);

    const rebuilt = await rebuildProjection(db, eventTypesProjector, { batchSize: 2 });
    expect(rebuilt).toEqual({ projection: 'event-types', events: 10 });
    expect(await difference('live_event_types', 'event_types')).toEqual([]);

    await owner.query(`CREATE TABLE first_rebuild AS SELECT * FROM event_types`);
    await rebuildProjection(db, eventTypesProjector);
    expect(await difference('first_rebuild', 'event_types')).toEqual([]);
  });

  it('refuses by the domain rules: a taken name is a conflict, an unknown type is not found', async () => {
    await create('order.shipped');
    await expect(create('order.shipped')).rejects.toMatchObject({ kind: 'conflict', field: 'name' });
    await expect(change('order.missing', { description: 'x' })).rejects.toBeInstanceOf(DomainRuleError);
    await expect(commands.execute(new ArchiveEventTypeCommand('order.missing', actor))).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('runs concurrent changes of one type one after the other: none is lost, each at the version it read', async () => {
    await create('race.won');
    await Promise.all(['a', 'b', 'c', 'd'].map((d) => change('race.won', { description: d })));

    const events: { type: string; data: { changes?: { description: string } } }[] = await db.query(
      `SELECT type, data FROM events WHERE stream_id = 'event-type-race.won' ORDER BY stream_version`);
    expect(events.map((e) => e.type)).toEqual(['EventTypeCreated', ...Array(4).fill('EventTypeUpdated')]);
    expect(events.slice(1).map((e) => e.data.changes?.description).sort()).toEqual(['a', 'b', 'c', 'd']);
    const [row] = await db.query(`SELECT description, version FROM event_types WHERE name = 'race.won'`);
    expect(row).toEqual({ description: events[4].data.changes?.description, version: 5 });
  });
});

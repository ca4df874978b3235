import 'reflect-metadata';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ReplayCommand, replayAggregate, replayStreamId } from '@hookledger/domain';
import { AggregateRepository, EndpointProjection, EventStore, Replays, rebuildProjection, replaysProjector } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, rowDifference, TestDatabase } from '@hookledger/testing';
import { ReplayCommandHandlers, RequestReplayCommand } from './commands';

let database: TestDatabase;
let db: DataSource;
/** The live rows are snapshotted into scratch tables to compare with a rebuild: only the owner may create tables. */
let owner: DataSource;
let app: TestingModule;
let commands: CommandBus;
let aggregates: AggregateRepository;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 8);
  owner = await openDataSource(database, 1, 'owner');
  app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [...ReplayCommandHandlers, AggregateRepository, EventStore, EndpointProjection, Replays, { provide: DataSource, useValue: db }],
  }).compile();
  await app.init();
  commands = app.get(CommandBus);
  aggregates = app.get(AggregateRepository);
  // Endpoints and deliveries are other aggregates' rows: here only what a replay reads.
  await db.query(`INSERT INTO endpoints (id, url, active, version) VALUES ('ep_a', 'https://a.example/h', true, 1), ('ep_off', 'https://b.example/h', false, 2)`);
  await db.query(`
    INSERT INTO deliveries (id, message_id, endpoint_id, event_type, status, attempts, version, created_at)
    SELECT 'dlv_' || lpad(i::text, 4, '0'), 'msg_' || i, 'ep_a', 'order.created', CASE WHEN i % 3 = 0 THEN 'succeeded' ELSE 'failed' END, 1, 3,
           '2024-01-01T00:00:00Z'::timestamptz + i * interval '1 minute'
      FROM generate_series(1, 30) AS i`);
});

afterAll(async () => {
  await app?.close();
  await owner?.destroy();
  await db?.destroy();
  await database?.drop();
});

const actor = 'api-key:key_rebuild';
const at = (minute: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + minute * 60_000);
const request = (status: 'failed' | 'succeeded' | 'all', until: Date | null = null, endpoint = 'ep_a') =>
  commands.execute(new RequestReplayCommand(endpoint, at(0), until, status, actor));
const page = (id: string, data: Extract<ReplayCommand, { type: 'DispatchReplayPage' }>['data']) =>
  aggregates.handle(replayAggregate, replayStreamId(id), { type: 'DispatchReplayPage', data }, { actor: 'system:scheduler' });

const difference = (a: string, b: string) => rowDifference(owner, a, b);

describe('replays through the command bus, rebuilt from the store', () => {
  it('counts what a replay covers, records who asked, and refuses a disabled or unknown endpoint', async () => {
    const id = await request('failed');
    expect(await app.get(Replays).find(id)).toMatchObject({ state: 'running', total: 20, dispatched: 0, created_by: actor, status: 'failed' });
    await expect(request('all', null, 'ep_off')).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('enable') });
    await expect(request('all', null, 'ep_missing')).rejects.toMatchObject({ status: 404 });
  });

  it('rebuilds exactly the rows the live projection wrote, and the same rows again on a second rebuild', async () => {
    const finished = await request('succeeded');
    await page(finished, { cursor: 'dlv_0030', handled: 10, sent: 9, last: true });
    const midway = await request('all', at(20));
    await page(midway, { cursor: 'dlv_0010', handled: 10, sent: 10, last: false });
    const empty = await request('all', at(0.5));

    await owner.query(`CREATE TABLE live_replays AS SELECT * FROM replays`);
    expect(await owner.query(`SELECT id, state, total, dispatched FROM live_replays WHERE id = ANY($1) ORDER BY id`, [[finished, midway, empty]])).toEqual([
      { id: finished, state: 'completed', total: 10, dispatched: 10 },
      { id: midway, state: 'running', total: 19, dispatched: 10 },
      { id: empty, state: 'completed', total: 0, dispatched: 0 },
    ]);

    expect(await rebuildProjection(db, replaysProjector, { batchSize: 2 })).toEqual({ projection: 'replays', events: 8 });
    expect(await difference('live_replays', 'replays')).toEqual([]);

    await owner.query(`CREATE TABLE first_rebuild AS SELECT * FROM replays`);
    await rebuildProjection(db, replaysProjector);
    expect(await difference('first_rebuild', 'replays')).toEqual([]);
  });
});

import 'reflect-metadata';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@hookledger/config';
import { AggregateRepository, EndpointProjection, endpointsProjector, EventStore, Outbox, rebuildProjection } from '@hookledger/event-store';
import { SecretsModule } from '@hookledger/secrets';
import { createTestDatabase, openDataSource, rowDifference, TestDatabase } from '@hookledger/testing';
import { TenantsService } from '../tenants/tenants.service';
import {
  CreateEndpointCommand, DeleteEndpointCommand, DisableEndpointCommand, EnableEndpointCommand, EndpointCommandHandlers, PauseEndpointCommand,
  ResumeEndpointCommand, RotateEndpointSecretCommand, UpdateEndpointCommand,
} from './commands';

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
    imports: [
      CqrsModule.forRoot(), ConfigModule.forRoot(loadConfig({ ...process.env, DATABASE_URL: database.url })), SecretsModule,
      // Global, as DatabaseModule gives it to the apps: SecretsModule's TenantDataKeys reads through it too.
      { module: class SpecDatabase {}, global: true, providers: [{ provide: DataSource, useValue: db }], exports: [DataSource] },
    ],
    providers: [
      ...EndpointCommandHandlers, AggregateRepository, EventStore, EndpointProjection, Outbox,
      // The tenant's quota and the health reset have their own specs; here only the endpoint's stream and row matter.
      { provide: TenantsService, useValue: { admitEndpoint: async () => undefined } },
    ],
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
const create = async (settings: { url: string } & Record<string, unknown>, auth: ConstructorParameters<typeof CreateEndpointCommand>[2] = null, adhoc = false) =>
  (await commands.execute(new CreateEndpointCommand('acme', settings, auth, undefined, adhoc, actor))).id;

/** Every column but index_version: the subscription index's stamp (a counter's value when the row last changed routing), not history. */
async function difference(a: string, b: string): Promise<unknown[]> {
  const columns: { column_name: string }[] = await db.query(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'endpoints' AND column_name <> 'index_version' ORDER BY ordinal_position`);
  return rowDifference(owner, a, b, columns.map((c) => c.column_name).join(', '));
}

describe('endpoints through the command bus, rebuilt from the store', () => {
  it('rebuilds exactly the rows the live projection wrote, and the same rows again on a second rebuild', async () => {
    const plain = await create({ url: 'https://receiver.example/plain', event_types: ['invoice.paid', 'invoice.paid'] });
    const basic = await create({ url: 'https://receiver.example/basic', headers: { 'x-team': 'billing' } }, { type: 'basic', username: 'hooks', password: 'pw-1' });
    const ed25519 = await create({ url: 'https://receiver.example/ed', signature_profile: 'standard-ed25519' });
    const gone = await create({ url: 'https://receiver.example/gone', filter: { amount: { $gt: 1 } } });
    await create({ url: 'https://receiver.example/adhoc', description: 'ad-hoc destination' }, null, true);

    await commands.execute(new UpdateEndpointCommand(plain, { url: 'https://receiver.example/moved', event_types: ['order.*'], active: false }, undefined, actor));
    await commands.execute(new UpdateEndpointCommand(basic, { description: 'billing' }, { type: 'bearer', token: 'tok-1' }, actor));
    await commands.execute(new EnableEndpointCommand(plain, actor));
    await commands.execute(new DisableEndpointCommand(basic, 'maintenance', actor));
    await commands.execute(new PauseEndpointCommand(ed25519, actor));
    await commands.execute(new ResumeEndpointCommand(ed25519, actor));
    await commands.execute(new PauseEndpointCommand(ed25519, actor));
    await commands.execute(new RotateEndpointSecretCommand(plain, 3600, undefined, undefined, actor));
    await commands.execute(new RotateEndpointSecretCommand(plain, 0, undefined, 'github', actor));
    await commands.execute(new RotateEndpointSecretCommand(ed25519, 60, undefined, 'standard', actor));
    await commands.execute(new DeleteEndpointCommand(gone, actor));

    await owner.query(`CREATE TABLE live_endpoints AS SELECT * FROM endpoints`);
    expect(await owner.query(`SELECT id, active, paused, signature_profile, jsonb_array_length(signing_keys) AS keys, version, deleted_at IS NOT NULL AS deleted
                             FROM live_endpoints WHERE id IN ($1, $2, $3, $4) ORDER BY id`, [plain, basic, ed25519, gone])).toEqual([
      { id: plain, active: true, paused: false, signature_profile: 'github', keys: 1, version: 5, deleted: false },
      { id: basic, active: false, paused: false, signature_profile: 'standard', keys: 1, version: 3, deleted: false },
      { id: ed25519, active: true, paused: true, signature_profile: 'standard', keys: 2, version: 5, deleted: false },
      { id: gone, active: false, paused: false, signature_profile: 'standard', keys: 1, version: 2, deleted: true },
    ].sort((x, y) => x.id.localeCompare(y.id)));

    const rebuilt = await rebuildProjection(db, endpointsProjector, { batchSize: 2 });
    expect(rebuilt).toEqual({ projection: 'endpoints', events: 16 });
    expect(await difference('live_endpoints', 'endpoints')).toEqual([]);

    await owner.query(`CREATE TABLE first_rebuild AS SELECT * FROM endpoints`);
    await rebuildProjection(db, endpointsProjector);
    expect(await difference('first_rebuild', 'endpoints')).toEqual([]);
  });

  it('keeps every key the events name in the key table, sealed, and none in the row or the ledger', async () => {
    const id = await create({ url: 'https://receiver.example/keys' }, { type: 'basic', username: 'hooks', password: 'pw-secret-xyz' });
    await commands.execute(new RotateEndpointSecretCommand(id, 60, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', undefined, actor));
    const [row] = await db.query(`SELECT auth, signing_keys FROM endpoints WHERE id = $1`, [id]);
    const keys: { key_id: string; purpose: string; sealed: string }[] = await db.query(`SELECT key_id, purpose, sealed FROM endpoint_keys WHERE endpoint_id = $1 ORDER BY purpose, key_id`, [id]);
    expect(keys.map((k) => k.key_id).sort()).toEqual([row.auth.key_id, ...row.signing_keys.map((k: { key_id: string }) => k.key_id)].sort());
    const ledger = JSON.stringify(await db.query(`SELECT data FROM events WHERE stream_id = $1`, [`endpoint-${id}`])) + JSON.stringify(row) + JSON.stringify(keys);
    for (const plaintext of ['pw-secret-xyz', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']) expect(ledger).not.toContain(plaintext);
  });

  it('refuses by the domain rules: an unknown or deleted endpoint is not found', async () => {
    const id = await create({ url: 'https://receiver.example/short-lived' });
    await commands.execute(new DeleteEndpointCommand(id, actor));
    await expect(commands.execute(new PauseEndpointCommand(id, actor))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(commands.execute(new DisableEndpointCommand('ep_missing', undefined, actor))).rejects.toMatchObject({ kind: 'not_found' });
  });
});

import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { AggregateRepository, apiKeysProjector, EndpointProjection, EventStore, Outbox, rebuildProjection, tenantsProjector } from '@hookledger/event-store';
import { SecretCipher, TenantDataKeys } from '@hookledger/secrets';
import { createTestDatabase, openDataSource, rowDifference, TestDatabase } from '@hookledger/testing';
import { ApiKeyDigests } from '../auth/api-key-digests';
import { ApiKeyCommandHandlers, CreateApiKeyCommand, IssuePortalTokenCommand, RevokeApiKeyCommand } from '../auth/commands';
import type { Principal } from '../auth/principal';
import { TenantsRepository } from './tenants.repository';
import { CreateTenantCommand, DeleteTenantCommand, EraseTenantCommand, TenantCommandHandlers, UpdateTenantCommand } from './commands';

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
  const config = { api: { rateLimitPerS: 50 }, retention: { dayMs: 86_400_000 } } as HookledgerConfig;
  app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [
      ...TenantCommandHandlers, ...ApiKeyCommandHandlers, AggregateRepository, EventStore, EndpointProjection, TenantsRepository, ApiKeyDigests,
      { provide: DataSource, useValue: db }, { provide: HookledgerConfig, useValue: config },
      { provide: TenantDataKeys, useValue: new TenantDataKeys(db, new SecretCipher(randomBytes(32)), config) }, Outbox,
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

const operator: Principal = { keyId: 'admin', role: 'admin', tenantId: null, rateLimitPerS: null };
const adminOf = (tenantId: string, keyId: string): Principal => ({ keyId, role: 'admin', tenantId, rateLimitPerS: null });
const noQuotas = { max_endpoints: null, max_events_per_month: null };

const difference = (a: string, b: string) => rowDifference(owner, a, b);

describe('tenants and API keys through the command bus, rebuilt from the store', () => {
  it('rebuilds exactly the rows the live projections wrote, and the same rows again on a second rebuild', async () => {
    await commands.execute(new CreateTenantCommand('acme', 'Acme', { plan: 'pro' }, { max_endpoints: 3, max_events_per_month: 1000 }, 30, operator));
    await commands.execute(new CreateTenantCommand('globex', 'Globex', {}, noQuotas, null, operator));
    await commands.execute(new CreateTenantCommand('leaving', 'Leaving Ltd', {}, noQuotas, 7, operator));
    await commands.execute(new UpdateTenantCommand('acme', { name: 'Acme Corp', quotas: { max_events_per_month: null } }, operator));
    await commands.execute(new UpdateTenantCommand('globex', { payload_retention_days: 2, branding: { name: 'Globex Hooks', accent_color: '#112233' } }, operator));
    await commands.execute(new UpdateTenantCommand('globex', { branding: { accent_color: null } }, operator));
    await app.get(TenantDataKeys).sealOne('globex', '{"a":1}', 'message:globex/m-1');
    const erasure = await commands.execute(new EraseTenantCommand('globex', 'GDPR request', operator));
    expect(erasure).toMatchObject({ tenant_id: 'globex', keys_destroyed: 1 });
    // The default tenant's stream starts with the TenantRecorded its migration appended.
    await commands.execute(new UpdateTenantCommand('default', { metadata: { region: 'eu' } }, operator));

    const acmeAdmin = await commands.execute(new CreateApiKeyCommand({ role: 'admin', tenant_id: 'acme', name: 'acme admin' }, operator));
    await commands.execute(new CreateApiKeyCommand({ role: 'reader', rate_limit_per_s: 5 }, adminOf('acme', acmeAdmin.id)));
    const across = await commands.execute(new CreateApiKeyCommand({ role: 'publisher', expires_at: '2999-01-01T00:00:00.000Z' }, operator));
    await commands.execute(new CreateApiKeyCommand({ role: 'auditor', tenant_id: 'leaving' }, operator));
    await commands.execute(new CreateApiKeyCommand({ role: 'reader', tenant_id: 'leaving' }, operator));
    const portal = await commands.execute(new IssuePortalTokenCommand('acme', 600, adminOf('acme', acmeAdmin.id)));
    await commands.execute(new RevokeApiKeyCommand(across.id, operator));
    await commands.execute(new RevokeApiKeyCommand(across.id, operator));
    await commands.execute(new RevokeApiKeyCommand(portal.id, adminOf('acme', acmeAdmin.id)));
    await commands.execute(new DeleteTenantCommand('leaving', operator));
    await commands.execute(new EraseTenantCommand('leaving', null, operator));

    await owner.query(`CREATE TABLE live_tenants AS SELECT * FROM tenants`);
    await owner.query(`CREATE TABLE live_api_keys AS SELECT * FROM api_keys`);
    expect(await owner.query(`SELECT id, name, deleted_at IS NOT NULL AS deleted FROM live_tenants ORDER BY id`)).toEqual([
      { id: 'acme', name: 'Acme Corp', deleted: false }, { id: 'default', name: 'Default tenant', deleted: false },
      { id: 'globex', name: 'Globex', deleted: false }, { id: 'leaving', name: 'Leaving Ltd', deleted: true },
    ]);
    expect(await owner.query(`SELECT role, tenant_id, revoked_at IS NOT NULL AS revoked FROM live_api_keys ORDER BY role, tenant_id`)).toEqual([
      { role: 'admin', tenant_id: 'acme', revoked: false }, { role: 'auditor', tenant_id: 'leaving', revoked: true },
      { role: 'portal', tenant_id: 'acme', revoked: true }, { role: 'publisher', tenant_id: null, revoked: true },
      { role: 'reader', tenant_id: 'acme', revoked: false }, { role: 'reader', tenant_id: 'leaving', revoked: true },
    ]);
    // Each minted key has its digest, and only there.
    expect(await owner.query(`SELECT count(*)::int AS n FROM api_key_digests d JOIN live_api_keys k ON k.id = d.key_id`)).toEqual([{ n: 6 }]);

    for (const [projector, table] of [[tenantsProjector, 'tenants'], [apiKeysProjector, 'api_keys']] as const) {
      await rebuildProjection(db, projector, { batchSize: 2 });
      expect(await difference(`live_${table}`, table)).toEqual([]);
      await owner.query(`CREATE TABLE first_rebuild_${table} AS SELECT * FROM ${table}`);
      await rebuildProjection(db, projector);
      expect(await difference(`first_rebuild_${table}`, table)).toEqual([]);
    }
  });

  it('refuses by the domain rules: a taken tenant id, another tenant named by a bound key, a key above the operator limit', async () => {
    await commands.execute(new CreateTenantCommand('taken', 'Taken', {}, noQuotas, null, operator));
    await expect(commands.execute(new CreateTenantCommand('taken', 'Again', {}, noQuotas, null, operator))).rejects.toMatchObject({ status: 409 });
    const bound = adminOf('taken', 'key_bound');
    await expect(commands.execute(new CreateApiKeyCommand({ role: 'reader', tenant_id: 'acme' }, bound))).rejects.toMatchObject({ status: 403 });
    await expect(commands.execute(new CreateApiKeyCommand({ role: 'reader', rate_limit_per_s: 51 }, bound))).rejects.toMatchObject({ status: 403 });
    await expect(commands.execute(new DeleteTenantCommand('default', operator))).rejects.toMatchObject({ kind: 'conflict' });
    await expect(commands.execute(new RevokeApiKeyCommand('key_missing', operator))).rejects.toMatchObject({ kind: 'not_found' });
    expect(await db.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = 'taken'`)).toEqual([{ n: 0 }]);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { apiKeysProjector, dataSourceOptions, rebuildProjection, tenantsProjector } from '@hookledger/event-store';
import { migrations } from './index';
import { TenancyProjections1732400000025 } from './1732400000025-tenancy-projections';

const server = process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_t_mig25_${randomBytes(4).toString('hex')}`;
const url = `${server}/${name}`;
let client: Client;

async function admin(sql: string): Promise<void> {
  const connection = new Client({ connectionString: `${server}/postgres` });
  await connection.connect();
  await connection.query(sql).finally(() => connection.end());
}

async function runMigrations(list: typeof migrations): Promise<void> {
  const db = new DataSource({ ...dataSourceOptions({ url, poolSize: 1 }), migrations: list });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' }).finally(() => db.destroy());
}

/** As the API wrote before issue 12: the row by hand, and its event beside it, in one transaction (one now()). */
async function asBefore(statements: [string, unknown[]?][], events: [string, string, string, object][]): Promise<void> {
  await client.query('BEGIN');
  for (const [sql, params] of statements) await client.query(sql, params);
  for (const [streamId, streamType, type, data] of events) {
    await client.query(`SELECT * FROM hl_append_events(ARRAY[$1], ARRAY[$2], ARRAY[NULL::integer], ARRAY[$1], ARRAY[$3], ARRAY[1::smallint], ARRAY[$4::jsonb], ARRAY[$5::jsonb])`,
      [streamId, streamType, type, JSON.stringify(data), JSON.stringify({ actor: 'api-key:admin' })]);
  }
  await client.query('COMMIT');
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const key = (id: string, role: string, tenant: string, expires: string | null): [string, unknown[]] => [
  `INSERT INTO api_keys (id, name, role, tenant_id, digest, prefix, created_by, expires_at) VALUES ($1, '', $2, $3, $4, 'hl_abcdef', 'api-key:admin', $5)`,
  [id, role, tenant, digest(id), expires],
];
const created = (id: string, role: string, tenant: string, expires: string | null): [string, string, string, object] =>
  [`api-key-${id}`, 'api-key', 'ApiKeyCreated', { id, name: '', role, tenant_id: tenant, prefix: 'hl_abcdef', rate_limit_per_s: null, expires_at: expires }];

beforeAll(async () => {
  await admin(`CREATE DATABASE ${name}`);
  const upTo = migrations.indexOf(TenancyProjections1732400000025);
  await runMigrations(migrations.slice(0, upTo));
  client = new Client({ connectionString: url });
  await client.connect();

  const tenant = { id: 'acme', name: 'Acme', metadata: {}, max_endpoints: 2, max_events_per_month: '10' };
  await asBefore([[`INSERT INTO tenants (id, name, max_endpoints, max_events_per_month) VALUES ('acme', 'Acme', 2, 10)`]], [['tenant-acme', 'tenant', 'TenantCreated', tenant]]);
  await asBefore([[`INSERT INTO tenants (id, name) VALUES ('gone', 'Gone')`]], [['tenant-gone', 'tenant', 'TenantCreated', { ...tenant, id: 'gone', name: 'Gone', max_endpoints: null, max_events_per_month: null }]]);
  await asBefore([[`UPDATE tenants SET name = 'Renamed default', updated_at = now() WHERE id = 'default'`]], [['tenant-default', 'tenant', 'TenantUpdated', { id: 'default', changes: { name: 'Renamed default' } }]]);
  await asBefore([key('key_live', 'reader', 'acme', null)], [created('key_live', 'reader', 'acme', null)]);
  await asBefore([key('key_revoked', 'admin', 'gone', null)], [created('key_revoked', 'admin', 'gone', null)]);
  const expired = '2024-01-01T00:00:00.000Z';
  await asBefore([key('key_portal', 'portal', 'acme', expired)], [created('key_portal', 'portal', 'acme', expired)]);
  // The tenant's deletion stamped deleted_at from the app's clock; the token was pruned a day after expiry.
  await asBefore([
    [`UPDATE api_keys SET revoked_at = now() WHERE id = 'key_revoked'`],
    [`UPDATE tenants SET deleted_at = now() - interval '3 ms', updated_at = now() WHERE id = 'gone'`],
  ], [['api-key-key_revoked', 'api-key', 'ApiKeyRevoked', { id: 'key_revoked', reason: 'tenant deleted' }], ['tenant-gone', 'tenant', 'TenantDeleted', { id: 'gone' }]]);
  await client.query(`DELETE FROM api_keys WHERE id = 'key_portal'`);

  await runMigrations(migrations);
});

afterAll(async () => {
  await client?.end();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('upgrading tenants and keys to projections (migration 1732400000025)', () => {
  it('moves every digest to api_key_digests and none stays in api_keys', async () => {
    const { rows } = await client.query(`SELECT key_id, digest FROM api_key_digests ORDER BY key_id`);
    expect(rows).toEqual([{ key_id: 'key_live', digest: digest('key_live') }, { key_id: 'key_revoked', digest: digest('key_revoked') }]);
    const columns = await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'api_keys' AND column_name = 'digest'`);
    expect(columns.rows).toEqual([]);
  });

  it('gives the default tenant its TenantRecorded, with the row as it stood, after the PATCH before it', async () => {
    const { rows } = await client.query(`SELECT type, data FROM events WHERE stream_id = 'tenant-default' ORDER BY stream_version`);
    expect(rows.map((row) => row.type)).toEqual(['TenantUpdated', 'TenantRecorded']);
    const [row] = (await client.query(`SELECT created_at FROM tenants WHERE id = 'default'`)).rows;
    expect(rows[1].data).toMatchObject({ id: 'default', name: 'Renamed default', metadata: {}, max_endpoints: null, max_events_per_month: null });
    expect(Date.parse(rows[1].data.created_at)).toBe(row.created_at.getTime());
  });

  it('leaves tables a rebuild does not change: the deletion time is its event\'s, the pruned portal token is back', async () => {
    const db = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }) });
    await db.initialize();
    try {
      for (const [projector, table] of [[tenantsProjector, 'tenants'], [apiKeysProjector, 'api_keys']] as const) {
        await db.query(`CREATE TABLE upgraded_${table} AS SELECT * FROM ${table}`);
        await rebuildProjection(db, projector);
        expect(await db.query(`(SELECT * FROM upgraded_${table} EXCEPT SELECT * FROM ${table}) UNION ALL (SELECT * FROM ${table} EXCEPT SELECT * FROM upgraded_${table})`)).toEqual([]);
      }
      expect(await db.query(`SELECT id, revoked_at IS NOT NULL AS revoked FROM api_keys ORDER BY id`)).toEqual([
        { id: 'key_live', revoked: false }, { id: 'key_portal', revoked: false }, { id: 'key_revoked', revoked: true },
      ]);
    } finally {
      await db.destroy();
    }
  });
});

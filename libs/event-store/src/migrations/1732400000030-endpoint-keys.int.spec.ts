import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { legacyAuthKeyId, legacySigningKeyId } from '@hookledger/domain';
import { dataSourceOptions, endpointsProjector, EventStore, rebuildProjection } from '@hookledger/event-store';
import { EndpointKeyRow, EndpointKeys, SecretCipher, sealedAt } from '@hookledger/secrets';
import { migrations } from './index';

const server = process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_t_mig_${randomBytes(6).toString('hex')}`;
const url = `${server}/${name}`;
const cipher = new SecretCipher(randomBytes(32));
const BEFORE = migrations.findIndex((migration) => migration.name === 'EndpointKeys1732400000030');

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${server}/postgres` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const migrated = async (list: typeof migrations) => {
  const db = await new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), migrations: list }).initialize();
  await db.runMigrations({ transaction: 'each' });
  return db;
};

let db: DataSource;
const appClock = new Date(Date.UTC(2030, 0, 1));

/** An endpoint as the code before issue 12 wrote it: its v1 events and, in the same transaction, its row with sealed material. */
async function legacyEndpoint(old: DataSource, id: string, options: { rotated?: boolean; deleted?: boolean } = {}): Promise<void> {
  const store = new EventStore([]);
  const created = { id, tenant_id: 'default', url: `https://receiver.example/${id}`, description: '', event_types: null, active: true, headers: {},
    retry_schedule: null, timeout_ms: null, rate_limit_per_s: null, channels: null, metadata: {}, filter: null, payload_format: 'envelope',
    signature_profile: 'standard', auth: { type: 'basic', username: 'hooks' }, adhoc: false };
  await old.transaction(async (tx) => {
    await store.append(tx, [{ streamId: `endpoint-${id}`, streamType: 'endpoint', expectedVersion: 0, events: [{ type: 'EndpointCreated', data: created }] }]);
    await tx.query(
      `INSERT INTO endpoints (id, tenant_id, url, secrets, version, auth) VALUES ($1, 'default', $2, $3, 1, $4)`,
      [id, created.url, JSON.stringify([{ sealed: cipher.seal(`first-${id}`, sealedAt.endpointSecret(id)), expires_at: null }]),
        JSON.stringify({ type: 'basic', username: 'hooks', sealed: cipher.seal(`pw-${id}`, sealedAt.endpointAuth(id)) })]);
  });
  if (options.rotated) {
    const expires = new Date(Date.now() + 3600_000).toISOString();
    await old.transaction(async (tx) => {
      await store.append(tx, [{ streamId: `endpoint-${id}`, streamType: 'endpoint', expectedVersion: 1, events: [{
        type: 'EndpointSecretRotated', data: { id, grace_period_s: 3600, previous_expire_at: expires, keys_retired: 0 } }] }]);
      await tx.query(`UPDATE endpoints SET secrets = $2, version = 2, updated_at = now() WHERE id = $1`, [id, JSON.stringify([
        { sealed: cipher.seal(`second-${id}`, sealedAt.endpointSecret(id)), expires_at: null },
        { sealed: cipher.seal(`first-${id}`, sealedAt.endpointSecret(id)), expires_at: expires },
      ])]);
    });
  }
  if (options.deleted) {
    await old.transaction(async (tx) => {
      await store.append(tx, [{ streamId: `endpoint-${id}`, streamType: 'endpoint', expectedVersion: 1, events: [{ type: 'EndpointDeleted', data: { id } }] }]);
      // The old code stamped deleted_at from the app's clock, not the transaction's.
      await tx.query(`UPDATE endpoints SET active = false, disabled_reason = 'deleted', deleted_at = $2, version = 2, updated_at = now() WHERE id = $1`, [id, appClock]);
    });
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${name}`);
  const old = await migrated(migrations.slice(0, BEFORE));
  await legacyEndpoint(old, 'ep_plain');
  await legacyEndpoint(old, 'ep_rotated', { rotated: true });
  await legacyEndpoint(old, 'ep_deleted', { deleted: true });
  await old.destroy();
  db = await migrated(migrations);
});

afterAll(async () => {
  await db?.destroy();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('migration 1732400000030: endpoint keys', () => {
  it('moves every sealed value to endpoint_keys under the ids evolve gives v1 streams, and leaves none in the row', async () => {
    const rows = await db.query(`SELECT id, signing_keys, auth, keys_issued FROM endpoints ORDER BY id`);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['ep_deleted', 'ep_plain', 'ep_rotated']);
    const rotated = rows.find((r: { id: string }) => r.id === 'ep_rotated');
    expect(rotated.signing_keys.map((k: { key_id: string }) => k.key_id)).toEqual([legacySigningKeyId('ep_rotated', 2), legacySigningKeyId('ep_rotated', 1)]);
    expect(rotated.auth).toEqual({ type: 'basic', username: 'hooks', key_id: legacyAuthKeyId('ep_rotated') });
    expect(rotated.keys_issued).toBe(2);
    expect(await db.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'endpoints' AND column_name = 'secrets'`)).toEqual([]);

    const keys = new EndpointKeys(cipher);
    const sealed = await keys.find(db, [legacySigningKeyId('ep_rotated', 2), legacySigningKeyId('ep_rotated', 1), legacyAuthKeyId('ep_rotated')]);
    const open = (id: string) => keys.open(sealed.get(id) as EndpointKeyRow);
    expect([open(legacySigningKeyId('ep_rotated', 2)), open(legacySigningKeyId('ep_rotated', 1)), open(legacyAuthKeyId('ep_rotated'))])
      .toEqual(['second-ep_rotated', 'first-ep_rotated', 'pw-ep_rotated']);
  });

  it('stamps deleted_at with the EndpointDeleted event time instead of the app clock', async () => {
    const [row] = await db.query(`SELECT e.deleted_at, v.recorded_at FROM endpoints e JOIN events v ON v.stream_id = 'endpoint-' || e.id AND v.type = 'EndpointDeleted' WHERE e.id = 'ep_deleted'`);
    expect(row.deleted_at).toEqual(row.recorded_at);
    expect(row.deleted_at).not.toEqual(appClock);
  });

  it('leaves rows a rebuild from the store gives back exactly', async () => {
    await db.query(`CREATE TABLE migrated_endpoints AS SELECT * FROM endpoints`);
    await rebuildProjection(db, endpointsProjector);
    const columns: { column_name: string }[] = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'endpoints' AND column_name <> 'index_version' ORDER BY ordinal_position`);
    const list = columns.map((c) => c.column_name).join(', ');
    expect(await db.query(`(SELECT ${list} FROM migrated_endpoints EXCEPT SELECT ${list} FROM endpoints) UNION ALL
                           (SELECT ${list} FROM endpoints EXCEPT SELECT ${list} FROM migrated_endpoints)`)).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { appRoleProblems, migrate } from '@hookledger/event-store';
import { createTestDatabase, TestDatabase } from '@hookledger/testing';
import { ensureAppRole } from './app-role';

// What the apps' role (the one TestDatabase.url connects as) may and may not do to the ledger.
const INSUFFICIENT_PRIVILEGE = '42501';
let database: TestDatabase;
let app: Client;
let owner: Client;

beforeAll(async () => {
  database = await createTestDatabase();
  app = new Client({ connectionString: database.url });
  owner = new Client({ connectionString: database.ownerUrl });
  await Promise.all([app.connect(), owner.connect()]);
});

afterAll(async () => {
  await Promise.all([app?.end(), owner?.end()]);
  await database?.drop();
});

const sqlState = (sql: string, params: unknown[] = []): Promise<string | undefined> =>
  app.query(sql, params).then(() => undefined, (error: { code?: string }) => error.code);

/** As EventStore.append calls it: the one way the apps' role writes events and streams. */
const append = async (expectedVersion: number, type: string, data: object) =>
  (await app.query(`SELECT stream_version FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`, [
    ['endpoint-sealed'], ['endpoint'], [expectedVersion], ['endpoint-sealed'], [type], [1], [data], [{}],
  ])).rows;

const appRole = async () => (await app.query<{ name: string }>('SELECT current_user AS name')).rows[0].name;

const CHECKPOINT = `INSERT INTO ledger_checkpoints (seq, events, position, transaction_id, head, previous_head, signed_at, public_key, signature)
  VALUES ($1, 1, 1, '1', decode(repeat('ab', 32), 'hex'), decode(repeat('00', 32), 'hex'), now(), decode(repeat('cd', 32), 'hex'), decode(repeat('ef', 64), 'hex'))`;

describe("the apps' role", () => {
  beforeAll(() => append(0, 'EndpointCreated', { url: 'https://a.example' }));

  it('is neither the owner nor anything that acts as one', async () => {
    expect(await appRole()).not.toBe((await owner.query('SELECT current_user AS name')).rows[0].name);
    expect(await appRoleProblems(owner, await appRole())).toEqual([]);
  });

  it('appends through hl_append_events, which extends the stream and its hash chain, and reads it all back', async () => {
    expect(await append(1, 'EndpointUpdated', { url: 'https://b.example' })).toEqual([{ stream_version: 2 }]);
    expect((await app.query(`SELECT version FROM streams WHERE stream_id = 'endpoint-sealed'`)).rows).toEqual([{ version: 2 }]);
    expect((await app.query(`SELECT hl_verify_stream('endpoint-sealed') AS broken`)).rows).toEqual([{ broken: null }]);
  });

  it('appends and reads signed checkpoints', async () => {
    await app.query(CHECKPOINT, [1]);
    expect((await app.query('SELECT seq FROM ledger_checkpoints')).rows).toEqual([{ seq: 1 }]);
  });

  it.each([
    ['INSERT INTO events beside the chain', `INSERT INTO events (stream_id, stream_version, type, data, hash) VALUES ('endpoint-sealed', 3, 'EndpointDeleted', '{}', '\\x00')`],
    ['UPDATE events', `UPDATE events SET data = '{"url": "https://evil.example"}'`],
    ['DELETE FROM events', 'DELETE FROM events'],
    ['TRUNCATE events', 'TRUNCATE events'],
    ['INSERT INTO streams', `INSERT INTO streams (stream_id, type, version) VALUES ('endpoint-forged', 'endpoint', 9)`],
    ['UPDATE streams', 'UPDATE streams SET version = 0'],
    ['DELETE FROM streams', 'DELETE FROM streams'],
    ['TRUNCATE streams', 'TRUNCATE streams'],
    ['SELECT … FOR UPDATE on streams', 'SELECT 1 FROM streams FOR UPDATE'],
    ['UPDATE ledger_checkpoints', 'UPDATE ledger_checkpoints SET events = 2'],
    ['DELETE FROM ledger_checkpoints', 'DELETE FROM ledger_checkpoints'],
    ['TRUNCATE ledger_checkpoints', 'TRUNCATE ledger_checkpoints'],
    ['ALTER TABLE events DISABLE TRIGGER', 'ALTER TABLE events DISABLE TRIGGER events_append_only'],
    ['ALTER TABLE events DISABLE TRIGGER ALL', 'ALTER TABLE events DISABLE TRIGGER ALL'],
    ['ALTER TABLE ledger_checkpoints DISABLE TRIGGER', 'ALTER TABLE ledger_checkpoints DISABLE TRIGGER ledger_checkpoints_append_only'],
    ['DROP TRIGGER', 'DROP TRIGGER events_append_only ON events'],
    ['DROP TABLE events', 'DROP TABLE events'],
    ['DROP TABLE a projection', 'DROP TABLE deliveries'],
    ['ALTER TABLE a projection', 'ALTER TABLE deliveries ADD COLUMN forged text'],
    ['CREATE TABLE in the schema', 'CREATE TABLE streams_shadow (stream_id text)'],
    ['CREATE FUNCTION in the schema', 'CREATE FUNCTION hl_event_digest_shadow() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
    ['CREATE OR REPLACE a store function', `CREATE OR REPLACE FUNCTION hl_event_digest(prev bytea, p_stream_id text, p_version integer, p_type text,
      p_schema smallint, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz) RETURNS bytea LANGUAGE sql AS $$ SELECT prev $$`],
    ['SET session_replication_role (switches triggers off)', 'SET session_replication_role = replica'],
  ])('is refused %s', async (_, sql) => {
    expect(await sqlState(sql)).toBe(INSUFFICIENT_PRIVILEGE);
    expect((await app.query(`SELECT stream_version FROM events WHERE stream_id = 'endpoint-sealed' ORDER BY stream_version`)).rows).toEqual([
      { stream_version: 1 }, { stream_version: 2 },
    ]);
  });

  it('reads, writes and truncates a projection (rebuilds truncate)', async () => {
    await app.query('BEGIN');
    try {
      await app.query('TRUNCATE deliveries, attempts');
      await app.query('DELETE FROM reader_checkpoints');
    } finally {
      await app.query('ROLLBACK');
    }
  });

  it('is granted what it may do on tables a later migration adds, once migrations have run again', async () => {
    await owner.query(`CREATE TABLE later_projection (id serial PRIMARY KEY, note text)`);
    await owner.query(`CREATE TABLE later_ledger (seq integer PRIMARY KEY)`);
    await owner.query(`CREATE TRIGGER later_ledger_append_only BEFORE UPDATE OR DELETE ON later_ledger FOR EACH ROW EXECUTE FUNCTION hl_refuse_event_change()`);
    expect(await sqlState(`INSERT INTO later_projection (note) VALUES ('before')`)).toBe(INSUFFICIENT_PRIVILEGE);

    await migrate(database.ownerUrl, { appRole: { name: await appRole() } });

    await app.query(`INSERT INTO later_projection (note) VALUES ('a')`);
    await app.query(`UPDATE later_projection SET note = 'b'`);
    await app.query('TRUNCATE later_projection');
    await app.query('INSERT INTO later_ledger (seq) VALUES (1)');
    expect((await app.query('SELECT seq FROM later_ledger')).rows).toEqual([{ seq: 1 }]);
    expect(await sqlState('UPDATE later_ledger SET seq = 2')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState('TRUNCATE later_ledger')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState('UPDATE events SET type = type')).toBe(INSUFFICIENT_PRIVILEGE);
  });
});

describe('creating the role', () => {
  it('tolerates many migrations creating it at once (roles are cluster-wide: parallel test workers race for one)', async () => {
    const name = `hl_t_role_${randomBytes(4).toString('hex')}`;
    const clients = Array.from({ length: 6 }, () => new Client({ connectionString: database.ownerUrl }));
    await Promise.all(clients.map((client) => client.connect()));
    try {
      await Promise.all(clients.map((client, i) => ensureAppRole(client, i % 2 ? { name } : { name, password: 'not-a-secret' })));
      const { rows } = await owner.query(
        'SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1', [name]);
      expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false }]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
      await owner.query(`DROP ROLE IF EXISTS ${name}`);
    }
  });

  it('refuses to grant a role that is a superuser: grants would not bind it', async () => {
    const name = `hl_t_role_${randomBytes(4).toString('hex')}`;
    await owner.query(`CREATE ROLE ${name} LOGIN SUPERUSER`);
    try {
      await expect(migrate(database.ownerUrl, { appRole: { name } })).rejects.toThrow(`the apps' role ${name} could still rewrite the ledger: it is a superuser`);
    } finally {
      await owner.query(`DROP ROLE ${name}`);
    }
  });
});

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MESSAGE_STREAM_TYPE, plaintextMessageReceived, messageStreamId } from '@hookledger/domain';
import { EventStore, dataSourceOptions, ensureDatabase, rebuildProjection, messagesProjector } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, rowDifference } from '@hookledger/testing';
import { migrations } from './index';
import { Tenancy1732400000012 } from './1732400000012-tenancy';
import { MessageDeliveryProjections1732400000035 } from './1732400000035-message-delivery-projections';
import { MessagePayloadBytes1732400000050 } from './1732400000050-message-payload-bytes';
import { SealLegacyPayloads1732400000069 } from './1732400000069-seal-legacy-payloads';

const server = () => process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_t_upgrade_${randomBytes(4).toString('hex')}`;
const url = () => `${server()}/${name}`;
let db: DataSource;

// Key order, whitespace and number spellings jsonb does not keep: a rebuild from the v1 events
// alone writes {"a":1,"b":1}, {"n":100,"list":[1.5,0]} and {"x":"é"}.
const OLD = '{"b":1,"a":1.0}';
const ACME = '{ "n" : 1e2,\n  "list": [1.50, -0.0] }';
const DEFAULT = '{"x":"\\u00e9"}';
const NEW = '{"z": 0.10, "z": 2}';
/** More old messages than one batch of the migration holds. */
const MANY = 10_050;

/** Migrates the database up to (not including) `next`, or through every migration. */
async function migratedUpTo(next?: (typeof migrations)[number]): Promise<DataSource> {
  const list = next ? migrations.slice(0, migrations.indexOf(next)) : migrations;
  const source = new DataSource({ ...dataSourceOptions({ url: url(), poolSize: 2 }), migrations: [...list] });
  await source.initialize();
  await source.runMigrations({ transaction: 'each' });
  return source;
}

/** As ingest wrote before issue 12: a v1 MessageReceived (the value as jsonb) and, by hand, the row with the published text. */
async function receivedByOldIngest(source: DataSource, streamId: string, message: { id: string; tenant_id: string | null; payload: string; channels?: string[] }) {
  await source.transaction(async (tx) => {
    const data = { id: message.id, type: 'order.created', timestamp: '2023-06-01T00:00:00.000Z', data: JSON.parse(message.payload), tenant_id: message.tenant_id, channels: message.channels ?? null };
    await new EventStore([]).append(tx, [{ streamId, streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0, events: [{ type: 'MessageReceived', schema_version: 1, data, metadata: { actor: 'system:ingest' } }] }]);
    await tx.query(`INSERT INTO messages (id, tenant_id, type, data, channels, timestamp) VALUES ($1, $2, 'order.created', $3::json, $4, '2023-06-01T00:00:00.000Z')`,
      [message.id, message.tenant_id, message.payload, message.channels ?? null]);
  });
}

const MESSAGE_TEXT = `SELECT seq, tenant_id, id, type, data::text AS data, channels, timestamp, received_at FROM messages`;
const difference = () => rowDifference(db, 'before_upgrade', 'messages_text');
const countEvents = async (source: DataSource) => Number((await source.query(`SELECT count(*) AS n FROM events`))[0].n);

beforeAll(async () => {
  await ensureDatabase(url());
  let before = await migratedUpTo(Tenancy1732400000012);
  await receivedByOldIngest(before, 'message-old-1', { id: 'old-1', tenant_id: null, payload: OLD });
  // Thousands more, set-wise as the same ingest would have written them (identity seq, default now()).
  await before.query(`
    WITH old AS (SELECT i, 'message-bulk-' || i AS stream_id, format('{"k": %s.0, "i":"%s"}', i, i) AS payload FROM generate_series(1, ${MANY}) i),
         appended AS (SELECT * FROM hl_append_events(
           (SELECT array_agg(stream_id ORDER BY i) FROM old), (SELECT array_agg('message'::text) FROM old), (SELECT array_agg(0) FROM old),
           (SELECT array_agg(stream_id ORDER BY i) FROM old), (SELECT array_agg('MessageReceived'::text) FROM old), (SELECT array_agg(1::smallint) FROM old),
           (SELECT array_agg(jsonb_build_object('id', 'bulk-' || i, 'type', 'order.created', 'timestamp', '2023-06-01T00:00:00.000Z',
                                                'data', payload::jsonb, 'tenant_id', NULL, 'channels', NULL) ORDER BY i) FROM old),
           (SELECT array_agg('{"actor":"system:ingest"}'::jsonb) FROM old)))
    INSERT INTO messages (id, type, data, timestamp)
    SELECT 'bulk-' || i, 'order.created', payload::json, '2023-06-01T00:00:00.000Z' FROM old WHERE (SELECT count(*) FROM appended) = ${MANY}`);
  await before.destroy();

  before = await migratedUpTo(MessageDeliveryProjections1732400000035);
  await before.transaction((tx) => new EventStore([]).append(tx, [{ streamId: 'filler-1', streamType: 'filler', expectedVersion: 0, events: [{ type: 'Filler', data: {} }] }]));
  await receivedByOldIngest(before, messageStreamId('acme', 'm-2'), { id: 'm-2', tenant_id: 'acme', payload: ACME, channels: ['eu'] });
  await receivedByOldIngest(before, messageStreamId('default', 'm-3'), { id: 'm-3', tenant_id: 'default', payload: DEFAULT });
  await before.destroy();

  db = await migratedUpTo(MessagePayloadBytes1732400000050);
  // The ingest of that time: a v2 event, its row as its projector wrote it (today's writes a column this schema has not got yet).
  await db.transaction(async (tx) => {
    await new EventStore([]).append(tx, [{
      streamId: messageStreamId('acme', 'm-4'), streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0,
      events: [plaintextMessageReceived({ id: 'm-4', type: 'order.created', timestamp: '2024-01-01T00:00:00.000Z', tenant_id: 'acme', payload: NEW })],
    }]);
    await tx.query(`INSERT INTO messages (seq, tenant_id, id, type, data, timestamp, received_at)
      SELECT global_position, 'acme', 'm-4', 'order.created', $1::json, '2024-01-01T00:00:00.000Z', date_trunc('milliseconds', recorded_at) FROM events WHERE stream_id = $2`,
      [NEW, messageStreamId('acme', 'm-4')]);
  });
  await db.query(`CREATE VIEW messages_text AS ${MESSAGE_TEXT}`);
  await db.query(`CREATE TABLE before_upgrade AS SELECT * FROM messages_text`);
  await db.query(`CREATE TABLE events_before AS SELECT global_position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, hash FROM events`);
  await db.destroy();

  // Not through 069, which seals these plaintext payloads: its own spec upgrades such a store.
  db = await migratedUpTo(SealLegacyPayloads1732400000069);
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  const admin = new Client({ connectionString: `${server()}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('upgrading a database whose messages were received under schema version 1', () => {
  it('records each v1 message\'s exact bytes on its stream, once, and leaves messages and every earlier event as they were', async () => {
    expect(await difference()).toEqual([]);
    expect(await db.query(`
      SELECT global_position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, hash FROM events
       WHERE global_position <= (SELECT max(global_position) FROM events_before)
      EXCEPT SELECT * FROM events_before`)).toEqual([]);

    const preserved: { stream_id: string; stream_version: number; schema_version: number; data: Record<string, unknown>; actor: string; exact_time: boolean }[] = await db.query(`
      SELECT e.stream_id, e.stream_version, e.schema_version, e.data, e.metadata->>'actor' AS actor, (e.data->>'received_at')::timestamptz = m.received_at AS exact_time
        FROM events e JOIN messages m ON m.tenant_id = e.data->>'tenant_id' AND m.id = e.data->>'id'
       WHERE e.type = 'MessagePayloadPreserved' AND e.stream_id NOT LIKE 'message-bulk-%' ORDER BY e.stream_id`);
    const preservedOf = (streamId: string, id: string, tenantId: string, payload: string) => ({
      stream_id: streamId, stream_version: 2, schema_version: 1, actor: 'system:migration', exact_time: true,
      data: { id, tenant_id: tenantId, payload, received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) },
    });
    expect(preserved).toEqual([
      preservedOf('message-acme/m-2', 'm-2', 'acme', ACME),
      preservedOf('message-default/m-3', 'm-3', 'default', DEFAULT),
      preservedOf('message-old-1', 'old-1', 'default', OLD),
    ]);
    const [{ bulk }] = await db.query(`SELECT count(DISTINCT stream_id)::int AS bulk FROM events WHERE type = 'MessagePayloadPreserved' AND stream_id LIKE 'message-bulk-%'`);
    expect(bulk).toBe(MANY);
    expect(await countEvents(db)).toBe(Number((await db.query(`SELECT count(*) AS n FROM events_before`))[0].n) + MANY + 3);
  });

  it('keeps every hash chain intact, the new events chained after each stream\'s head', async () => {
    expect(await db.query(`SELECT stream_id, hl_verify_stream(stream_id) AS broken FROM streams WHERE hl_verify_stream(stream_id) IS NOT NULL`)).toEqual([]);
    expect(await db.query(`SELECT version FROM streams WHERE stream_id IN ('message-old-1', 'message-acme/m-4') ORDER BY stream_id`)).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('rebuilds messages to exactly the rows it had, byte for byte, twice', async () => {
    for (let run = 0; run < 2; run++) {
      expect(await rebuildProjection(db, messagesProjector, { batchSize: 4000 })).toEqual({ projection: 'messages', events: 2 * (MANY + 3) + 1 });
      expect(await difference()).toEqual([]);
    }
    expect(await db.query(`SELECT id, data::text AS data FROM messages WHERE id IN ('old-1', 'm-2', 'm-3', 'm-4', 'bulk-7') ORDER BY id`)).toEqual([
      { id: 'bulk-7', data: '{"k": 7.0, "i":"7"}' }, { id: 'm-2', data: ACME }, { id: 'm-3', data: DEFAULT }, { id: 'm-4', data: NEW }, { id: 'old-1', data: OLD },
    ]);
  });

  it('run again, appends nothing', async () => {
    const before = await countEvents(db);
    const runner = db.createQueryRunner();
    try {
      await new MessagePayloadBytes1732400000050().up(runner);
    } finally {
      await runner.release();
    }
    expect(await countEvents(db)).toBe(before);
  });
});

describe('upgrading a database whose messages are all schema version 2', () => {
  it('appends nothing', async () => {
    const database = await createTestDatabase();
    const source = await openDataSource(database, 2, 'owner'); // runs a migration: as the owner
    try {
      await source.transaction((tx) => new EventStore().append(tx, ['a', 'b'].map((id) => ({
        streamId: messageStreamId('acme', id), streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0,
        events: [plaintextMessageReceived({ id, type: 'order.created', timestamp: '2024-01-01T00:00:00.000Z', tenant_id: 'acme', payload: '{"b":1,"a":1.0}' })],
      }))));
      const before = await countEvents(source);
      const runner = source.createQueryRunner();
      try {
        await new MessagePayloadBytes1732400000050().up(runner);
      } finally {
        await runner.release();
      }
      expect(await countEvents(source)).toBe(before);
      expect(await source.query(`SELECT version FROM streams WHERE stream_id LIKE 'message-%'`)).toEqual([{ version: 1 }, { version: 1 }]);
    } finally {
      await source.destroy();
      await database.drop();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { HookledgerConfig } from '@hookledger/config';
import {
  deliveryScheduled, deliveryStreamId, MESSAGE_STREAM_TYPE, messagePayloadContext, messagePayloadPreserved, messageReceived, messageStreamId, plaintextMessageReceived,
} from '@hookledger/domain';
import { dataSourceOptions, ensureDatabase, EventStore, LegacySealing, migrate } from '@hookledger/event-store';
import { SecretCipher, TenantDataKeys } from '@hookledger/secrets';
import { migrations } from './index';
import { SealLegacyPayloads1732400000069 } from './1732400000069-seal-legacy-payloads';

const server = () => process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DAY = { retention: { dayMs: 86_400_000 } } as HookledgerConfig;
const cipher = new SecretCipher(randomBytes(32));

// Texts only these legacy rows hold: none may be left anywhere once the migration ran.
const V1_EXACT = '{"legacy":"v1-exact-3f9a", "n": 1.0}';
const V2_TEXT = '{"legacy": "v2-text-77c1",  "z": 1e2}';
const RESPONSE = 'receiver said: response-body-d41e';
const MARKERS = ['v1-exact-3f9a', 'v2-text-77c1', 'response-body-d41e'];

interface Scratch {
  readonly url: string;
  readonly db: DataSource;
  readonly keys: TenantDataKeys;
}
const scratches: Scratch[] = [];

/** A database migrated to the head before 069, holding what the apps wrote before payloads were sealed. */
async function legacyStore(): Promise<Scratch> {
  const url = `${server()}/hl_t_seal_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url);
  const db = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), migrations: migrations.slice(0, migrations.indexOf(SealLegacyPayloads1732400000069)) });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  const scratch = { url, db, keys: new TenantDataKeys(db, cipher, DAY) };
  scratches.push(scratch);
  return scratch;
}

const sealing = (scratch: Scratch, allowAfterCheckpoints = false): LegacySealing => ({ sealer: { seal: (items) => scratch.keys.sealDated(items) }, allowAfterCheckpoints });

async function appendLegacy({ db, keys }: Scratch): Promise<void> {
  await db.transaction(async (tx) => {
    // A v1 MessageReceived (jsonb value) with the row ingest wrote by hand, and the exact text migration 050 preserved.
    const v1 = { id: 'm-1', type: 'order.created', timestamp: '2023-06-01T00:00:00.000Z', data: JSON.parse(V1_EXACT), tenant_id: null, channels: null };
    await new EventStore([]).append(tx, [{ streamId: 'message-m-1', streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0, events: [{ type: 'MessageReceived', schema_version: 1, data: v1 }] }]);
    await tx.query(`INSERT INTO messages (seq, id, tenant_id, type, data, timestamp) SELECT max(global_position), 'm-1', 'default', 'order.created', $1::json, '2023-06-01T00:00:00.000Z' FROM events`, [V1_EXACT]);
    await new EventStore([]).append(tx, [{ streamId: 'message-m-1', streamType: MESSAGE_STREAM_TYPE, expectedVersion: 1, events: [
      messagePayloadPreserved({ id: 'm-1', tenant_id: 'default', payload: V1_EXACT, received_at: '2023-06-01T00:00:00.000123Z' }),
    ] }]);
    await tx.query(`UPDATE messages SET received_at = '2023-06-01T00:00:00.000123Z' WHERE id = 'm-1'`);
  });
  // A v2 event and a delivery with a plaintext response body, projected by today's projectors.
  await db.transaction((tx) => new EventStore().append(tx, [
    { streamId: messageStreamId('acme', 'm-2'), streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0,
      events: [plaintextMessageReceived({ id: 'm-2', type: 'order.created', timestamp: '2024-01-01T00:00:00.000Z', tenant_id: 'acme', payload: V2_TEXT })] },
    { streamId: deliveryStreamId('dlv_1'), streamType: 'delivery', expectedVersion: 0, events: [
      deliveryScheduled({ delivery_id: 'dlv_1', message_id: 'm-2', endpoint_id: 'ep_1', tenant_id: 'acme', event_type: 'order.created' }),
      { type: 'DeliveryAttempted', schema_version: 1, data: {
        attempt_id: 'att_1', attempt: 1, trigger: 'scheduled', url: 'https://receiver.example/', started_at: '2024-01-01T00:00:01.000Z',
        duration_ms: 5, status_code: 500, outcome: 'http_5xx', error: null, response_body: RESPONSE,
      } },
    ] },
  ]));
  // Already sealed (today's ingest): left exactly as it is.
  const sealed = await keys.sealOne('acme', '{"new":true}', messagePayloadContext('acme', 'm-3'));
  await db.transaction((tx) => new EventStore().append(tx, [{ streamId: messageStreamId('acme', 'm-3'), streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0,
    events: [messageReceived({ id: 'm-3', type: 'order.created', timestamp: '2024-01-02T00:00:00.000Z', tenant_id: 'acme', sealed_payload: sealed })] }]));
}

/** Which of the markers `sql`'s rows still hold as text. */
async function markersIn(db: DataSource, sql: string): Promise<string[]> {
  const text = JSON.stringify(await db.query(sql));
  return MARKERS.filter((marker) => text.includes(marker));
}

afterAll(async () => {
  for (const { db, url } of scratches) {
    await db.destroy();
    const name = new URL(url).pathname.slice(1);
    const admin = new DataSource({ ...dataSourceOptions({ url: `${server()}/postgres`, poolSize: 1 }) });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
});

describe('migration 1732400000069: legacy plaintext payloads sealed in place', () => {
  let scratch: Scratch;
  let sealedEvent: string;

  beforeAll(async () => {
    scratch = await legacyStore();
    await appendLegacy(scratch);
    sealedEvent = (await scratch.db.query(`SELECT data->>'sealed_payload' AS sealed FROM events WHERE stream_id = 'message-acme/m-3'`))[0].sealed;
    expect(await markersIn(scratch.db, `SELECT e::text FROM events e`)).toEqual(MARKERS);
    // 069 and the migrations after it run; those later ones are other features'.
    const later = migrations.slice(migrations.indexOf(SealLegacyPayloads1732400000069)).map((migration) => migration.name);
    expect(await migrate(scratch.url, { legacySealing: sealing(scratch) })).toEqual(later);
  });

  it('leaves no plaintext in events, messages or attempts', async () => {
    for (const table of ['events', 'messages', 'attempts']) {
      expect([table, await markersIn(scratch.db, `SELECT t::text FROM ${table} t`)]).toEqual([table, []]);
    }
  });

  it('every chain and stream head verifies, and the ledger records what it sealed and re-chained', async () => {
    expect(await scratch.db.query(`SELECT stream_id, hl_verify_stream(stream_id) AS broken FROM streams WHERE hl_verify_stream(stream_id) IS NOT NULL`)).toEqual([]);
    const [recorded] = await scratch.db.query(`SELECT type, data, metadata FROM events WHERE stream_id = 'ledger'`);
    expect(recorded).toMatchObject({ type: 'LedgerPayloadsSealed', metadata: { migration: 'SealLegacyPayloads1732400000069' } });
    expect(recorded.data).toEqual({
      message_payloads: 2, preserved_payloads: 1, response_bodies: 1, checkpoints_invalidated: 0,
      rechained: [
        { reason: 'message payloads sealed', streams: 2, streams_digest: expect.stringMatching(/^[0-9a-f]{64}$/), stream_ids: ['message-acme/m-2', 'message-m-1'] },
        { reason: 'response bodies sealed', streams: 1, streams_digest: expect.stringMatching(/^[0-9a-f]{64}$/), stream_ids: ['delivery-dlv_1'] },
      ],
    });
  });

  it('the sealed payloads open to the original bytes, in the events and in the rebuilt messages rows', async () => {
    const rows: { tenant_id: string; id: string; data: unknown; sealed_data: string }[] = await scratch.db.query(`SELECT tenant_id, id, data, sealed_data FROM messages ORDER BY id`);
    expect(rows.map((row) => row.data)).toEqual([null, null, null]);
    const opened = await scratch.keys.openMany(rows.map((row) => ({ sealed: row.sealed_data, tenantId: row.tenant_id, context: messagePayloadContext(row.tenant_id, row.id) })));
    expect(opened.map((payload) => payload.text)).toEqual([V1_EXACT, V2_TEXT, '{"new":true}']);
    expect(rows[2].sealed_data).toBe(sealedEvent);

    const events: { type: string; schema_version: number; data: Record<string, string> }[] = await scratch.db.query(
      `SELECT type, schema_version, data FROM events WHERE type IN ('MessageReceived', 'MessagePayloadPreserved', 'DeliveryAttempted') ORDER BY global_position`);
    expect(events.map((event) => [event.type, event.schema_version])).toEqual([
      ['MessageReceived', 3], ['MessagePayloadPreserved', 1], ['MessageReceived', 3], ['DeliveryAttempted', 1], ['MessageReceived', 3],
    ]);
    const [v1, preserved, v2, attempted] = events;
    // The v1 event's own payload is its jsonb value re-serialised, keys as jsonb ordered them (as it always read); the preserved one is the exact text.
    expect((await scratch.keys.open(v1.data.sealed_payload, 'default', 'message:default/m-1')).text).toBe('{"n":1,"legacy":"v1-exact-3f9a"}');
    expect((await scratch.keys.open(preserved.data.sealed_payload, 'default', 'message:default/m-1')).text).toBe(V1_EXACT);
    expect((await scratch.keys.open(v2.data.sealed_payload, 'acme', 'message:acme/m-2')).text).toBe(V2_TEXT);
    expect((await scratch.keys.open(attempted.data.sealed_response_body, 'acme', 'attempt:att_1')).text).toBe(RESPONSE);
    // The rebuilt attempt row holds the sealed body the event now holds, not nothing.
    const [row]: { response_body: string | null; sealed_response_body: string }[] = await scratch.db.query(`SELECT response_body, sealed_response_body FROM attempts WHERE id = 'att_1'`);
    expect(row.response_body).toBeNull();
    expect((await scratch.keys.open(row.sealed_response_body, 'acme', 'attempt:att_1')).text).toBe(RESPONSE);
  });

  it('seals with the key of the day each was recorded on, so retention covers them by age', async () => {
    const keys: { tenant_id: string; n: number }[] = await scratch.db.query(`SELECT tenant_id, count(*)::int AS n FROM tenant_data_keys GROUP BY 1 ORDER BY 1`);
    expect(keys).toEqual([{ tenant_id: 'acme', n: 1 }, { tenant_id: 'default', n: 1 }]);
  });

  it('does nothing on a store without plaintext: a second run finds nothing and appends nothing', async () => {
    const before = await scratch.db.query(`SELECT count(*)::int AS n FROM events`);
    await new SealLegacyPayloads1732400000069().up(scratch.db.createQueryRunner());
    expect(await scratch.db.query(`SELECT count(*)::int AS n FROM events`)).toEqual(before);
  });
});

describe('migration 1732400000069: refusals', () => {
  let scratch: Scratch;

  beforeAll(async () => {
    scratch = await legacyStore();
    await appendLegacy(scratch);
  });

  it('refuses without HOOKS_ENCRYPTION_KEY, changing nothing', async () => {
    await expect(migrate(scratch.url)).rejects.toThrow(/HOOKS_ENCRYPTION_KEY/);
    expect(await markersIn(scratch.db, `SELECT e::text FROM events e`)).toEqual(MARKERS);
  });

  it('refuses once signed checkpoints cover the plaintext, unless HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS allows it', async () => {
    await scratch.db.query(
      `INSERT INTO ledger_checkpoints (seq, events, position, transaction_id, head, previous_head, signed_at, public_key, signature)
       VALUES (1, 5, 5, '1', $1, $1, now(), $1, $2)`, [Buffer.alloc(32), Buffer.alloc(64)]);
    await expect(migrate(scratch.url, { legacySealing: sealing(scratch) })).rejects.toThrow(/1 signed checkpoint\(s\) already cover them.*HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS=true/);
    expect(await markersIn(scratch.db, `SELECT e::text FROM events e`)).toEqual(MARKERS);

    await migrate(scratch.url, { legacySealing: sealing(scratch, true) });
    expect(await markersIn(scratch.db, `SELECT e::text FROM events e`)).toEqual([]);
    const [{ data }] = await scratch.db.query(`SELECT data FROM events WHERE type = 'LedgerPayloadsSealed'`);
    expect(data.checkpoints_invalidated).toBe(1);
    expect(await scratch.db.query(`SELECT stream_id FROM streams WHERE hl_verify_stream(stream_id) IS NOT NULL`)).toEqual([]);
  });
});

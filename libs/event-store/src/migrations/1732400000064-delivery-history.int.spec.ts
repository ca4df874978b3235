import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DeliveryEvent, deliveryScheduled, deliveryStreamId } from '@hookledger/domain';
import { dataSourceOptions, ensureDatabase, EventStore, projectorsNamed, rebuildProjection } from '@hookledger/event-store';
import { migrations } from './index';
import { DeliveryHistory1732400000064 } from './1732400000064-delivery-history';
import { SealLegacyPayloads1732400000069 } from './1732400000069-seal-legacy-payloads';

const server = () => process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_t_history_${randomBytes(4).toString('hex')}`;
const url = () => `${server()}/${name}`;
let db: DataSource;

const attemptedV1 = (n: number, status_code: number): DeliveryEvent => ({
  type: 'DeliveryAttempted', schema_version: 1,
  data: {
    attempt_id: `att_${n}`, attempt: n, trigger: 'scheduled', url: 'https://receiver.example/hooks', started_at: `2026-11-29T10:00:0${n}.000Z`,
    duration_ms: 7, status_code, outcome: status_code === 200 ? 'http_2xx' : 'http_5xx', error: null, response_body: `answer ${n}`,
  },
});

/** A database as the migrations before this one leave it, with a delivery attempted twice as the code before issue 13 recorded it. */
beforeAll(async () => {
  await ensureDatabase(url());
  const before = new DataSource({ ...dataSourceOptions({ url: url(), poolSize: 2 }), migrations: migrations.slice(0, migrations.indexOf(DeliveryHistory1732400000064)) });
  await before.initialize();
  await before.runMigrations({ transaction: 'each' });
  await before.transaction((tx) => new EventStore([]).append(tx, [{
    streamId: deliveryStreamId('dlv_1'), streamType: 'delivery', expectedVersion: 0,
    events: [
      deliveryScheduled({ delivery_id: 'dlv_1', message_id: 'msg_1', endpoint_id: 'ep_1', event_type: 'invoice.paid', tenant_id: 'acme' }),
      attemptedV1(1, 500),
      { type: 'DeliveryRetryScheduled', schema_version: 1, data: { attempt: 1, next_attempt_at: '2026-11-29T10:00:05.000Z', reason: 'http_5xx' } },
      attemptedV1(2, 200),
      { type: 'DeliverySucceeded', schema_version: 1, data: { attempt: 2, status_code: 200 } },
    ],
  }]));
  // The rows as the projector before this migration wrote them.
  await before.query(`
    INSERT INTO deliveries (id, message_id, endpoint_id, tenant_id, event_type, status, attempts, last_status_code, version, delivered_at)
    VALUES ('dlv_1', 'msg_1', 'ep_1', 'acme', 'invoice.paid', 'succeeded', 2, 200, 5, '2026-11-29T10:00:02Z')`);
  await before.query(`
    INSERT INTO attempts (id, delivery_id, endpoint_id, attempt, trigger, url, started_at, duration_ms, status_code, outcome, response_body)
    SELECT data->>'attempt_id', 'dlv_1', 'ep_1', (data->>'attempt')::int, 'scheduled', data->>'url', (data->>'started_at')::timestamptz, 7,
           (data->>'status_code')::int, data->>'outcome', data->>'response_body'
      FROM events WHERE type = 'DeliveryAttempted'`);
  await before.destroy();
  // Up to, not through, 069, which seals these plaintext bodies (its own spec upgrades such a store);
  // then the rebuild migrate() runs after the migrations that name it.
  const upTo = migrations.slice(0, migrations.indexOf(SealLegacyPayloads1732400000069));
  db = new DataSource({ ...dataSourceOptions({ url: url(), poolSize: 2 }), migrations: [...upTo] });
  await db.initialize();
  const ran = await db.runMigrations({ transaction: 'each' });
  expect(ran.map((migration) => migration.name)).toEqual(upTo.slice(upTo.indexOf(DeliveryHistory1732400000064)).map((migration) => migration.name));
  expect(new DeliveryHistory1732400000064().rebuilds).toEqual(['deliveries']);
  for (const projector of projectorsNamed(['deliveries'])) await rebuildProjection(db, projector);
});

afterAll(async () => {
  await db?.destroy();
  const admin = new Client({ connectionString: `${server()}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('upgrading attempts recorded before the delivery history', () => {
  it('rebuilds them from the store: each names its DeliveryAttempted\'s position, tenant, message and type; the plain body stays; no request', async () => {
    const rows = await db.query(`
      SELECT a.id, a.tenant_id, a.message_id, a.event_type, e.type AS event, e.data->>'attempt_id' AS event_attempt, a.response_body,
             a.sealed_response_body, a.request_headers, a.body_sha256, a.signature
        FROM attempts a JOIN events e ON e.global_position = a.ledger_position ORDER BY a.id`);
    const legacy = { tenant_id: 'acme', message_id: 'msg_1', event_type: 'invoice.paid', event: 'DeliveryAttempted', sealed_response_body: null, request_headers: null, body_sha256: null, signature: null };
    expect(rows).toEqual([
      { id: 'att_1', event_attempt: 'att_1', response_body: 'answer 1', ...legacy },
      { id: 'att_2', event_attempt: 'att_2', response_body: 'answer 2', ...legacy },
    ]);
  });

  it('indexes the history\'s filters in the order it pages (started_at, id)', async () => {
    const indexes: { indexname: string }[] = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'attempts' ORDER BY indexname`);
    expect(indexes.map((index) => index.indexname)).toEqual(expect.arrayContaining([
      'attempts_endpoint_started', 'attempts_failed_started', 'attempts_started', 'attempts_tenant_started', 'attempts_tenant_type_started',
    ]));
  });
});

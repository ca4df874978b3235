import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  DEFAULT_ENDPOINT_SETTINGS, endpointCreated, endpointDeleted, endpointDisabled, endpointEnabled, EndpointEventType, ENDPOINT_STREAM_TYPE,
  endpointStreamId, CurrentEndpointEvent,
} from '@hookledger/domain';
import { dataSourceOptions, endpointsProjector, ensureDatabase, EventReader, EventStore, migrate, rebuildProjection } from '@hookledger/event-store';
import { rowDifference } from '@hookledger/testing';
import { migrations } from './index';
import { EndpointCircuitEvents1732400000045 } from './1732400000045-endpoint-circuit-events';

const server = () => process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_t_upgrade_${randomBytes(4).toString('hex')}`;
const url = () => `${server()}/${name}`;
let db: DataSource;
let upgradedAt: Date;

const created = (id: string) => endpointCreated({
  ...DEFAULT_ENDPOINT_SETTINGS, url: `https://receiver.example/${id}`, id, tenant_id: 'default', auth: null, adhoc: false, secret_key_id: `${id}.signing.1`,
});

/**
 * A database as the migrations before this one leave it, with endpoints recorded as today's code
 * records them (events, and the rows the projector wrote) and circuits that live only in
 * `endpoint_health`: open, half-open (its probe out), closed after failures, and open on an
 * endpoint since deleted.
 */
beforeAll(async () => {
  await ensureDatabase(url());
  const before = new DataSource({ ...dataSourceOptions({ url: url(), poolSize: 2 }), migrations: migrations.slice(0, migrations.indexOf(EndpointCircuitEvents1732400000045)) });
  await before.initialize();
  await before.runMigrations({ transaction: 'each' });
  const streams: [string, CurrentEndpointEvent[]][] = [
    ['ep_open', [created('ep_open')]],
    ['ep_half', [created('ep_half')]],
    ['ep_closed', [created('ep_closed')]],
    ['ep_deleted', [created('ep_deleted'), endpointDeleted({ id: 'ep_deleted' })]],
    ['ep_reenabled', [created('ep_reenabled'), endpointDisabled({ id: 'ep_reenabled', reason: 'disabled by an operator', by: 'operator' }), endpointEnabled({ id: 'ep_reenabled', by: 'operator' })]],
  ];
  // Events only (no inline projector of today's code: its columns do not exist yet); the rows as the old projector left them.
  await before.transaction((tx) => new EventStore([]).append(tx, streams.map(([id, events]) => ({
    streamId: endpointStreamId(id), streamType: ENDPOINT_STREAM_TYPE, expectedVersion: 0, events: events.map((event) => ({ ...event, metadata: { actor: 'api-key:key_1' } })),
  }))));
  await before.query(`
    INSERT INTO endpoints (id, tenant_id, url, active, version, deleted_at)
    SELECT data->>'id', 'default', data->>'url', true, 1, NULL FROM events WHERE type = 'EndpointCreated'`);
  await before.query(`UPDATE endpoints SET version = 2, active = false, disabled_reason = 'deleted', deleted_at = now() WHERE id = 'ep_deleted'`);
  await before.query(`UPDATE endpoints SET version = 3 WHERE id = 'ep_reenabled'`);
  await before.query(`
    INSERT INTO endpoint_health (endpoint_id, circuit_state, circuit_opened_at, circuit_retry_at, circuit_cooldown_s, consecutive_failures, failing_since, last_failure_at) VALUES
      ('ep_open', 'open', '2026-11-29T10:00:00.123Z', '2099-01-01T00:01:00.456Z', 60, 7, '2026-11-29T09:00:00Z', '2026-11-29T10:00:00Z'),
      ('ep_half', 'half_open', '2026-11-29T10:00:00Z', '2026-11-29T10:00:30Z', 30, 5, '2026-11-29T09:00:00Z', '2026-11-29T10:00:00Z'),
      ('ep_closed', 'closed', NULL, NULL, 0, 2, '2026-11-29T09:00:00Z', '2026-11-29T10:00:00Z'),
      ('ep_deleted', 'open', '2026-11-29T10:00:00Z', '2099-01-01T00:00:00Z', 30, 5, '2026-11-29T09:00:00Z', '2026-11-29T10:00:00Z')`);
  await before.query(`INSERT INTO reader_checkpoints (name, transaction_id, global_position) VALUES ('endpoint-health', '5'::xid8, 5)`);
  await before.destroy();
  upgradedAt = new Date();
  // The real runner: it migrates, then rebuilds the projections the migration names.
  expect(await migrate(url())).toEqual(migrations.slice(migrations.indexOf(EndpointCircuitEvents1732400000045)).map((migration) => migration.name));
  db = new DataSource(dataSourceOptions({ url: url(), poolSize: 2 }));
  await db.initialize();
});

afterAll(async () => {
  await db?.destroy();
  const admin = new Client({ connectionString: `${server()}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('upgrading a database whose circuits lived only in endpoint_health', () => {
  it('records each open or half-open circuit of a live endpoint as EndpointCircuitOpened on its stream, at its stream version', async () => {
    const events: { stream_id: string; stream_version: number; data: Record<string, unknown>; metadata: object }[] = await db.query(
      `SELECT stream_id, stream_version, data, metadata FROM events WHERE type = $1 ORDER BY stream_id`, [EndpointEventType.EndpointCircuitOpened]);
    expect(events.map(({ stream_id, stream_version, metadata }) => ({ stream_id, stream_version, metadata }))).toEqual([
      { stream_id: 'endpoint-ep_half', stream_version: 2, metadata: { actor: 'system:migration' } },
      { stream_id: 'endpoint-ep_open', stream_version: 2, metadata: { actor: 'system:migration' } },
    ]);
    const [half, open] = events.map((event) => event.data);
    expect(open).toEqual({
      id: 'ep_open', reason: 'failures', opened_at: '2026-11-29T10:00:00.123Z', retry_at: '2099-01-01T00:01:00.456Z', cooldown_s: 60, consecutive_failures: 7, window: null,
    });
    // A half-open circuit's probe cannot be followed any more: it is open again, due for a new probe at once.
    expect(new Date(half.retry_at as string).getTime()).toBeGreaterThanOrEqual(upgradedAt.getTime() - 1000);
    expect(new Date(half.retry_at as string).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('keeps every hash chain intact', async () => {
    const reader = new EventReader();
    for (const id of ['ep_open', 'ep_half', 'ep_closed', 'ep_deleted', 'ep_reenabled']) {
      expect(await reader.verifyStream(db.manager, endpointStreamId(id))).toBeNull();
    }
  });

  it('rebuilds endpoints from the store: the circuits as recorded, the last enable stamped', async () => {
    const rows = await db.query(`SELECT id, version, circuit_state, circuit_retry_at, circuit_cooldown_s, enabled_at IS NOT NULL AS enabled FROM endpoints ORDER BY id`);
    expect(rows).toEqual([
      { id: 'ep_closed', version: 1, circuit_state: 'closed', circuit_retry_at: null, circuit_cooldown_s: 0, enabled: false },
      { id: 'ep_deleted', version: 2, circuit_state: 'closed', circuit_retry_at: null, circuit_cooldown_s: 0, enabled: false },
      { id: 'ep_half', version: 2, circuit_state: 'open', circuit_retry_at: expect.any(Date), circuit_cooldown_s: 30, enabled: false },
      { id: 'ep_open', version: 2, circuit_state: 'open', circuit_retry_at: new Date('2099-01-01T00:01:00.456Z'), circuit_cooldown_s: 60, enabled: false },
      { id: 'ep_reenabled', version: 3, circuit_state: 'closed', circuit_retry_at: null, circuit_cooldown_s: 0, enabled: true },
    ]);
    const [{ enabled_at, recorded_at }] = await db.query(
      `SELECT e.enabled_at, ev.recorded_at FROM endpoints e JOIN events ev ON ev.stream_id = 'endpoint-' || e.id AND ev.type = 'EndpointEnabled' WHERE e.id = 'ep_reenabled'`);
    expect(enabled_at).toEqual(recorded_at);
    await db.query(`CREATE TABLE endpoints_after_upgrade AS SELECT * FROM endpoints`);
    await rebuildProjection(db, endpointsProjector);
    // index_version is the subscription index's stamp (migration 016's trigger), not the projector's.
    const columns: { column_name: string }[] = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'endpoints' AND column_name NOT IN ('index_version', 'headers', 'metadata', 'auth', 'filter', 'signing_keys')`);
    const asText = ['headers', 'metadata', 'auth', 'filter', 'signing_keys'].map((column) => `${column}::text`);
    expect(await rowDifference(db, 'endpoints_after_upgrade', 'endpoints', [...columns.map((column) => column.column_name), ...asText].join(', '))).toEqual([]);
  });

  it('empties endpoint_health, without its circuit columns, for the endpoint-health projection to catch up from the start', async () => {
    expect(await db.query(`SELECT * FROM endpoint_health`)).toEqual([]);
    expect(await db.query(`SELECT 1 FROM reader_checkpoints WHERE name = 'endpoint-health'`)).toEqual([]);
    const columns: { column_name: string }[] = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'endpoint_health' ORDER BY column_name`);
    expect(columns.map((column) => column.column_name)).toEqual([
      'active', 'consecutive_failures', 'endpoint_id', 'failing_since', 'gone_at', 'last_failure_at', 'last_success_at', 'updated_at',
    ]);
  });
});

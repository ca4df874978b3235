import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { replayAggregate, replayStreamId } from '@hookledger/domain';
import { AggregateRepository, EventStore, dataSourceOptions, ensureDatabase, rebuildProjection, replaysProjector } from '@hookledger/event-store';
import { rowDifference } from '@hookledger/testing';
import { migrations } from './index';
import { ReplaysStream1732400000040 } from './1732400000040-replays-stream';

const server = () => process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_t_upgrade_${randomBytes(4).toString('hex')}`;
const url = () => `${server()}/${name}`;
let db: DataSource;

/** The database as the migrations before this one leave it: what an existing installation has. */
async function migrated(list: readonly (typeof migrations)[number][]): Promise<DataSource> {
  const source = new DataSource({ ...dataSourceOptions({ url: url(), poolSize: 2 }), migrations: [...list] });
  await source.initialize();
  await source.runMigrations({ transaction: 'each' });
  return source;
}

beforeAll(async () => {
  await ensureDatabase(url());
  const before = await migrated(migrations.slice(0, migrations.indexOf(ReplaysStream1732400000040)));
  await before.query(`INSERT INTO endpoints (id, url, active, version) VALUES ('ep_live', 'https://a.example/h', true, 1),
                                                                         ('ep_gone', 'https://b.example/h', false, 2)`);
  await before.query(`UPDATE endpoints SET deleted_at = now() WHERE id = 'ep_gone'`);
  await before.query(`
    INSERT INTO replays (id, endpoint_id, since, until, status, state, cursor, total, dispatched, created_by, created_at, updated_at, completed_at) VALUES
      ('rpl_running', 'ep_live', '2024-01-01T00:00:00.000001Z', '2024-01-02T00:00:00.123456Z', 'failed', 'running', 'dlv_200', 450, 200,
       'api-key:key_1', '2024-01-02T00:00:00.123456Z', '2024-01-02T00:01:00.654321Z', NULL),
      ('rpl_done', 'ep_live', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', 'all', 'completed', 'dlv_9', 9, 9,
       'api-key:key_1', '2024-01-02T00:00:00Z', '2024-01-02T00:02:00Z', '2024-01-02T00:02:00Z'),
      ('rpl_empty', 'ep_live', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', 'succeeded', 'completed', NULL, 0, 0,
       NULL, '2024-01-02T00:00:00Z', '2024-01-02T00:00:00Z', '2024-01-02T00:00:00Z'),
      ('rpl_cut', 'ep_gone', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', 'failed', 'completed', 'dlv_5', 10, 5,
       'api-key:key_2', '2024-01-02T00:00:00Z', '2024-01-02T00:03:00Z', '2024-01-02T00:03:00Z')`);
  await before.query(`CREATE TABLE before_upgrade AS SELECT * FROM replays`);
  await before.destroy();
  db = await migrated(migrations);
});

afterAll(async () => {
  await db?.destroy();
  const admin = new Client({ connectionString: `${server()}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

const difference = (a: string, b: string) => rowDifference(db, a, b);

describe('upgrading a database whose replays were rows without events', () => {
  it('keeps every row as it was, and records each on its own stream once', async () => {
    expect(await difference('before_upgrade', 'replays')).toEqual([]);
    const events: { stream_id: string; type: string; completion: string | null }[] = await db.query(
      `SELECT stream_id, type, data->>'completion' AS completion FROM events WHERE stream_id LIKE 'replay-%' ORDER BY stream_id`);
    expect(events).toEqual([
      { stream_id: 'replay-rpl_cut', type: 'ReplayRecorded', completion: 'endpoint_deleted' },
      { stream_id: 'replay-rpl_done', type: 'ReplayRecorded', completion: 'finished' },
      { stream_id: 'replay-rpl_empty', type: 'ReplayRecorded', completion: 'nothing_matched' },
      { stream_id: 'replay-rpl_running', type: 'ReplayRecorded', completion: null },
    ]);
  });

  it('rebuilds the projection to exactly the rows it had', async () => {
    expect(await rebuildProjection(db, replaysProjector)).toEqual({ projection: 'replays', events: 4 });
    expect(await difference('before_upgrade', 'replays')).toEqual([]);
  });

  it('a running replay goes on from its cursor, at its stream version', async () => {
    const aggregates = new AggregateRepository(db, new EventStore());
    const page = { type: 'DispatchReplayPage', data: { cursor: 'dlv_450', handled: 250, sent: 250, last: true } } as const;
    const handled = await aggregates.handle(replayAggregate, replayStreamId('rpl_running'), page, { actor: 'system:scheduler' });
    expect(handled.version).toBe(3);
    const [row] = await db.query(`SELECT state, cursor, dispatched, completed_at IS NOT NULL AS completed FROM replays WHERE id = 'rpl_running'`);
    expect(row).toEqual({ state: 'completed', cursor: 'dlv_450', dispatched: 450, completed: true });
  });
});

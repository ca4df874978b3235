import type { MigrationInterface, QueryRunner } from 'typeorm';

// ISO-8601 with microseconds: a JS Date would cut them, and the rebuilt row would differ from the old one.
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * `replays` becomes the `replays` projection, written only from replay streams. Rows made before
 * had no event at all, so no fold could rebuild them: each gets a stream holding one
 * ReplayRecorded, the row as it stands (its own times, its requester, its progress), appended
 * through the store's own function. Why an old replay stopped was not kept; a completed one with
 * nothing to do was 'nothing_matched', one cut short by its endpoint's deletion 'endpoint_deleted'.
 */
export class ReplaysStream1732400000040 implements MigrationInterface {
  name = 'ReplaysStream1732400000040';

  async up(db: QueryRunner): Promise<void> {
    // The code always wrote until and total; a row without them gets what a rebuild will write.
    await db.query(`UPDATE replays SET until = coalesce(until, created_at), total = coalesce(total, 0) WHERE until IS NULL OR total IS NULL`);
    await db.query(`
      WITH old AS (
        SELECT 'replay-' || r.id AS stream_id, jsonb_build_object(
                 'replay_id', r.id, 'endpoint_id', r.endpoint_id, 'tenant_id', r.tenant_id,
                 'since', ${iso('r.since')}, 'until', ${iso('r.until')}, 'status', r.status, 'total', r.total,
                 'state', r.state, 'cursor', r.cursor, 'dispatched', r.dispatched,
                 'completion', CASE WHEN r.state = 'running' THEN NULL
                                    WHEN r.total = 0 THEN 'nothing_matched'
                                    WHEN e.deleted_at IS NOT NULL AND r.dispatched < r.total THEN 'endpoint_deleted'
                                    ELSE 'finished' END,
                 'created_by', r.created_by, 'created_at', ${iso('r.created_at')}, 'updated_at', ${iso('r.updated_at')},
                 'completed_at', CASE WHEN r.completed_at IS NULL THEN NULL ELSE ${iso('r.completed_at')} END) AS data
          FROM replays r
          LEFT JOIN endpoints e ON e.id = r.endpoint_id
         WHERE NOT EXISTS (SELECT 1 FROM streams s WHERE s.stream_id = 'replay-' || r.id)
         ORDER BY r.id
      )
      SELECT count(*) FROM hl_append_events(
        (SELECT array_agg(stream_id) FROM old), (SELECT array_agg('replay'::text) FROM old), (SELECT array_agg(0) FROM old),
        (SELECT array_agg(stream_id) FROM old), (SELECT array_agg('ReplayRecorded'::text) FROM old), (SELECT array_agg(1::smallint) FROM old),
        (SELECT array_agg(data) FROM old), (SELECT array_agg('{"actor":"system:migration"}'::jsonb) FROM old))
       WHERE EXISTS (SELECT 1 FROM old)`);
    await db.query(`ALTER TABLE replays ALTER COLUMN until SET NOT NULL, ALTER COLUMN total SET NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    // The recorded events stay: the store is append-only, and the projection reads them as rows.
    await db.query(`ALTER TABLE replays ALTER COLUMN until DROP NOT NULL, ALTER COLUMN total DROP NOT NULL`);
  }
}

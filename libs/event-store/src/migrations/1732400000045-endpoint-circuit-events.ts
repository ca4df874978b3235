import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { RebuildsProjections } from '../migrate';

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Circuit transitions move onto the endpoint's stream (issue 12). Before, the circuit lived only in
 * `endpoint_health`, written by the dispatcher, the circuit prober, the auto-disabler and the
 * enable route, so the ledger could not say why an endpoint's deliveries were held.
 *
 * - `endpoints` gains the circuit (written by the `endpoints` projector, inline, from the
 *   EndpointCircuit… events: the dispatcher and the scheduler must never read it stale) and
 *   `enabled_at`, the last enable, from which the breaker counts failures afresh.
 * - Every circuit open or half-open today is recorded as EndpointCircuitOpened on its stream (a
 *   half-open one is due for a probe at once: its probe's outcome cannot be told any more), and
 *   the runner then rebuilds `endpoints` from the store, so the new columns are what the
 *   projector makes of the whole history, not a copy of it in SQL.
 * - `endpoint_health` keeps only the failure streak and last outcomes, and becomes the async
 *   `endpoint-health` projection: emptied, its checkpoint dropped, it is caught up from the start
 *   of the store by the scheduler.
 */
export class EndpointCircuitEvents1732400000045 implements MigrationInterface, RebuildsProjections {
  name = 'EndpointCircuitEvents1732400000045';
  readonly rebuilds = ['endpoints'];

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE endpoints
        ADD COLUMN circuit_state             text        NOT NULL DEFAULT 'closed' CHECK (circuit_state IN ('closed', 'open', 'half_open')),
        ADD COLUMN circuit_opened_at         timestamptz,
        ADD COLUMN circuit_retry_at          timestamptz,
        ADD COLUMN circuit_cooldown_s        integer     NOT NULL DEFAULT 0,
        ADD COLUMN circuit_probe_delivery_id text,
        ADD COLUMN circuit_changed_at        timestamptz,
        ADD COLUMN enabled_at                timestamptz`);
    // The prober's two questions: which open circuits are due a probe, which probes were lost.
    await db.query(`CREATE INDEX endpoints_circuit_due ON endpoints (circuit_retry_at) WHERE circuit_state = 'open'`);
    await db.query(`CREATE INDEX endpoints_circuit_half_open ON endpoints (circuit_changed_at) WHERE circuit_state = 'half_open'`);

    await db.query(`
      WITH open AS (
        SELECT s.stream_id, s.version, jsonb_build_object(
                 'id', h.endpoint_id, 'reason', 'failures',
                 'opened_at', ${iso('coalesce(h.circuit_opened_at, now())')},
                 'retry_at', ${iso(`CASE WHEN h.circuit_state = 'half_open' THEN now() ELSE coalesce(h.circuit_retry_at, now()) END`)},
                 'cooldown_s', h.circuit_cooldown_s, 'consecutive_failures', h.consecutive_failures, 'window', NULL) AS data
          FROM endpoint_health h
          JOIN endpoints e ON e.id = h.endpoint_id AND e.deleted_at IS NULL
          JOIN streams s ON s.stream_id = 'endpoint-' || h.endpoint_id
         WHERE h.circuit_state <> 'closed'
         ORDER BY s.stream_id
      )
      SELECT count(*) FROM hl_append_events(
        (SELECT array_agg(stream_id) FROM open), (SELECT array_agg('endpoint'::text) FROM open), (SELECT array_agg(version) FROM open),
        (SELECT array_agg(stream_id) FROM open), (SELECT array_agg('EndpointCircuitOpened'::text) FROM open), (SELECT array_agg(1::smallint) FROM open),
        (SELECT array_agg(data) FROM open), (SELECT array_agg('{"actor":"system:migration"}'::jsonb) FROM open))
       WHERE EXISTS (SELECT 1 FROM open)`);

    await db.query(`DROP INDEX IF EXISTS endpoint_health_due_probe`);
    await db.query(`TRUNCATE endpoint_health`);
    await db.query(`
      ALTER TABLE endpoint_health
        DROP COLUMN circuit_state, DROP COLUMN circuit_opened_at, DROP COLUMN circuit_retry_at, DROP COLUMN circuit_cooldown_s,
        ADD COLUMN active boolean NOT NULL,
        ALTER COLUMN updated_at DROP DEFAULT`);
    // The auto-disabler's question: who answered 410, or has failed without a success since when.
    await db.query(`CREATE INDEX endpoint_health_failing ON endpoint_health (failing_since) WHERE failing_since IS NOT NULL OR gone_at IS NOT NULL`);
    await db.query(`DELETE FROM reader_checkpoints WHERE name = 'endpoint-health'`);
  }

  async down(db: QueryRunner): Promise<void> {
    // The recorded circuit events stay: the store is append-only.
    await db.query(`DROP INDEX IF EXISTS endpoint_health_failing`);
    await db.query(`TRUNCATE endpoint_health`);
    await db.query(`
      ALTER TABLE endpoint_health
        DROP COLUMN active,
        ADD COLUMN circuit_state text NOT NULL DEFAULT 'closed' CHECK (circuit_state IN ('closed', 'open', 'half_open')),
        ADD COLUMN circuit_opened_at timestamptz, ADD COLUMN circuit_retry_at timestamptz, ADD COLUMN circuit_cooldown_s integer NOT NULL DEFAULT 0,
        ALTER COLUMN updated_at SET DEFAULT now()`);
    await db.query(`CREATE INDEX endpoint_health_due_probe ON endpoint_health (circuit_retry_at) WHERE circuit_state = 'open'`);
    await db.query(`DROP INDEX IF EXISTS endpoints_circuit_due, endpoints_circuit_half_open`);
    await db.query(`
      ALTER TABLE endpoints DROP COLUMN circuit_state, DROP COLUMN circuit_opened_at, DROP COLUMN circuit_retry_at, DROP COLUMN circuit_cooldown_s,
        DROP COLUMN circuit_probe_delivery_id, DROP COLUMN circuit_changed_at, DROP COLUMN enabled_at`);
  }
}

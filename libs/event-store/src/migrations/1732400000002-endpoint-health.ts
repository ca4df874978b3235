import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failure handling: pausing, the per-endpoint circuit breaker and health, the operational-event
 * outbox, and durable replay jobs.
 */
export class EndpointHealth1732400000002 implements MigrationInterface {
  name = 'EndpointHealth1732400000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE endpoints ADD COLUMN paused boolean NOT NULL DEFAULT false`);

    // Written by the dispatcher in the transaction that records attempts, so a circuit opens
    // on the batch that crossed the threshold, whichever dispatcher instance recorded it.
    await db.query(`
      CREATE TABLE endpoint_health (
        endpoint_id          text        PRIMARY KEY,
        circuit_state        text        NOT NULL DEFAULT 'closed' CHECK (circuit_state IN ('closed', 'open', 'half_open')),
        circuit_opened_at    timestamptz,
        circuit_retry_at     timestamptz,
        circuit_cooldown_s   integer     NOT NULL DEFAULT 0,
        consecutive_failures integer     NOT NULL DEFAULT 0,
        failing_since        timestamptz,
        last_success_at      timestamptz,
        last_failure_at      timestamptz,
        gone_at              timestamptz,
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX endpoint_health_due_probe ON endpoint_health (circuit_retry_at) WHERE circuit_state = 'open'`);
    // Sliding-window statistics and the delivery log per endpoint read attempts by time.
    await db.query(`CREATE INDEX attempts_endpoint_started ON attempts (endpoint_id, started_at)`);

    // Operational events waiting to be published: written in the same transaction as the change
    // they report, published (msgID = id) and deleted by the relay, so none is lost.
    await db.query(`
      CREATE TABLE outbox (
        seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id         text        NOT NULL UNIQUE,
        subject    text        NOT NULL,
        payload    jsonb       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE replays (
        id           text        PRIMARY KEY,
        endpoint_id  text        NOT NULL,
        tenant_id    text,
        since        timestamptz NOT NULL,
        until        timestamptz,
        status       text        NOT NULL,
        state        text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed')),
        cursor       text,
        total        integer,
        dispatched   integer     NOT NULL DEFAULT 0,
        created_by   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await db.query(`CREATE INDEX replays_running ON replays (created_at) WHERE state = 'running'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS replays, outbox, endpoint_health`);
    await db.query(`DROP INDEX IF EXISTS attempts_endpoint_started`);
    await db.query(`ALTER TABLE endpoints DROP COLUMN IF EXISTS paused`);
  }
}

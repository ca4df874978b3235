import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models. `endpoints`, `messages`, `deliveries` and `attempts` are written inline, in the
 * same transaction as the events they come from, so the API is never stale.
 */
export class Projections1732400000001 implements MigrationInterface {
  name = 'Projections1732400000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE event_types (
        name        text        PRIMARY KEY,
        description text        NOT NULL DEFAULT '',
        schema      jsonb,
        archived_at timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE endpoints (
        id                text        PRIMARY KEY,
        tenant_id         text,
        url               text        NOT NULL,
        description       text        NOT NULL DEFAULT '',
        event_types       text[],
        channels          text[],
        active            boolean     NOT NULL DEFAULT true,
        disabled_reason   text,
        headers           jsonb       NOT NULL DEFAULT '{}'::jsonb,
        retry_schedule    integer[],
        timeout_ms        integer,
        rate_limit_per_s  integer,
        metadata          jsonb       NOT NULL DEFAULT '{}'::jsonb,
        secrets           jsonb       NOT NULL,
        version           integer     NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        deleted_at        timestamptz
      )`);
    await db.query(`CREATE INDEX endpoints_tenant ON endpoints (tenant_id, id) WHERE deleted_at IS NULL`);

    // Bumped in every transaction that changes endpoints: ingest compares it once per batch and
    // reloads its in-memory subscription index when it moved, so a new endpoint is never missed.
    await db.query(`CREATE TABLE subscription_index (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)`);
    await db.query(`INSERT INTO subscription_index (id, version) VALUES (1, 0)`);

    await db.query(`
      CREATE TABLE messages (
        seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
        id          text        PRIMARY KEY,
        tenant_id   text,
        type        text        NOT NULL,
        -- json, not jsonb: the payload is sent exactly as the publisher wrote it (key order kept).
        data        json        NOT NULL,
        channels    text[],
        timestamp   timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX messages_type_seq ON messages (type, seq)`);

    await db.query(`
      CREATE TABLE deliveries (
        id               text        PRIMARY KEY,
        message_id       text        NOT NULL,
        endpoint_id      text        NOT NULL,
        tenant_id        text,
        event_type       text        NOT NULL,
        status           text        NOT NULL CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
        attempts         integer     NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error       text,
        next_attempt_at  timestamptz,
        due_at           timestamptz,
        delivered_at     timestamptz,
        version          integer     NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT deliveries_one_per_message_endpoint UNIQUE (message_id, endpoint_id)
      )`);
    await db.query(`CREATE INDEX deliveries_endpoint_id ON deliveries (endpoint_id, id)`);
    await db.query(`CREATE INDEX deliveries_status_id ON deliveries (status, id)`);
    await db.query(`CREATE INDEX deliveries_event_type_id ON deliveries (event_type, id)`);
    // The scheduler's queue: only deliveries waiting for a retry carry a due_at.
    await db.query(`CREATE INDEX deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL`);

    await db.query(`
      CREATE TABLE attempts (
        id            text        PRIMARY KEY,
        delivery_id   text        NOT NULL,
        endpoint_id   text        NOT NULL,
        attempt       integer     NOT NULL,
        trigger       text        NOT NULL,
        url           text        NOT NULL,
        started_at    timestamptz NOT NULL,
        duration_ms   integer     NOT NULL,
        status_code   integer,
        outcome       text        NOT NULL,
        error         text,
        response_body text,
        CONSTRAINT attempts_delivery_attempt_unique UNIQUE (delivery_id, attempt)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS attempts, deliveries, messages, subscription_index, endpoints, event_types`);
  }
}

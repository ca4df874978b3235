import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rest of the endpoint shape (authentication towards the receiver, payload filter, payload
 * format, signature profile, ad-hoc destinations) and the store behind `Idempotency-Key`.
 */
export class EndpointOptions1732400000004 implements MigrationInterface {
  name = 'EndpointOptions1732400000004';

  async up(db: QueryRunner): Promise<void> {
    // auth: {type: 'basic', username, sealed} or {type: 'bearer', sealed}; the password or token sealed with SecretCipher.
    await db.query(`ALTER TABLE endpoints ADD COLUMN auth jsonb`);
    // filter: conditions on the event's data, evaluated at fan-out by ingest.
    await db.query(`ALTER TABLE endpoints ADD COLUMN filter jsonb`);
    await db.query(`ALTER TABLE endpoints ADD COLUMN payload_format text NOT NULL DEFAULT 'envelope' CHECK (payload_format IN ('envelope', 'data'))`);
    await db.query(`
      ALTER TABLE endpoints ADD COLUMN signature_profile text NOT NULL DEFAULT 'standard'
        CHECK (signature_profile IN ('standard', 'standard-ed25519', 'github', 'stripe', 'hmac-hex'))`);
    // Ad-hoc destinations (an event published with destination.url) get an endpoint of their own
    // that no subscription matches and that endpoint lists leave out unless asked.
    await db.query(`ALTER TABLE endpoints ADD COLUMN adhoc boolean NOT NULL DEFAULT false`);

    // One row per (caller, Idempotency-Key): in progress while the first request runs, then its
    // answer, replayed for 24 h to any retry carrying the same key and the same request.
    await db.query(`
      CREATE TABLE idempotency_keys (
        scope            text        NOT NULL,
        key              text        NOT NULL,
        method           text        NOT NULL,
        path             text        NOT NULL,
        request_hash     text        NOT NULL,
        state            text        NOT NULL CHECK (state IN ('in_progress', 'completed')),
        response_status  integer,
        response_body    jsonb,
        created_at       timestamptz NOT NULL DEFAULT now(),
        expires_at       timestamptz NOT NULL,
        PRIMARY KEY (scope, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS idempotency_keys`);
    await db.query(`ALTER TABLE endpoints DROP COLUMN IF EXISTS adhoc, DROP COLUMN IF EXISTS signature_profile,
                    DROP COLUMN IF EXISTS payload_format, DROP COLUMN IF EXISTS filter, DROP COLUMN IF EXISTS auth`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `endpoints` becomes the `endpoints` projection, written from the endpoint's events alone, and
 * its sealed key material moves to `endpoint_keys`, keyed by the ids the events name (version 2 of
 * EndpointCreated/Updated/SecretRotated; version 1 named none, so existing keys get the ids evolve
 * gives them: `secrets[i]` of an endpoint rotated n times is `<id>.signing.<1 + n − i>`, its auth
 * credential `<id>.auth`). No sealed value is left in the row, so a rebuild from events — which
 * never held one — gives the row back whole.
 *
 * `endpoint_keys` is operational state with one writer, the handler that issues the key in the
 * same transaction as its event (and `secrets:reencrypt`, which re-seals it under a new key).
 * Moved values stay sealed for the `endpoints` column they came from (SQL cannot re-seal them):
 * `legacy_binding` says so, until `secrets:reencrypt` re-binds them to their key row.
 *
 * `deleted_at` came from the app's clock; the projection stamps it with the EndpointDeleted
 * event's recorded_at, so it is set to that here, and a rebuild equals the live rows.
 */
export class EndpointKeys1732400000030 implements MigrationInterface {
  name = 'EndpointKeys1732400000030';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE endpoint_keys (
        key_id         text        PRIMARY KEY,
        endpoint_id    text        NOT NULL,
        purpose        text        NOT NULL CHECK (purpose IN ('signing', 'auth')),
        sealed         text        NOT NULL,
        public_key     text,
        legacy_binding boolean     NOT NULL DEFAULT false,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX endpoint_keys_endpoint ON endpoint_keys (endpoint_id)`);
    await db.query(`ALTER TABLE endpoints ADD COLUMN signing_keys jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await db.query(`ALTER TABLE endpoints ADD COLUMN keys_issued integer NOT NULL DEFAULT 1`);
    await db.query(`
      CREATE TEMPORARY TABLE endpoint_rotations ON COMMIT DROP AS
        SELECT e.id, (SELECT count(*) FROM events v WHERE v.stream_id = 'endpoint-' || e.id AND v.type = 'EndpointSecretRotated')::int AS rotations
          FROM endpoints e`);
    await db.query(`
      INSERT INTO endpoint_keys (key_id, endpoint_id, purpose, sealed, public_key, legacy_binding, created_at)
      SELECT e.id || '.signing.' || (1 + r.rotations - (s.i - 1)), e.id, 'signing', s.secret ->> 'sealed', s.secret ->> 'public_key', true, e.updated_at
        FROM endpoints e JOIN endpoint_rotations r ON r.id = e.id
       CROSS JOIN LATERAL jsonb_array_elements(e.secrets) WITH ORDINALITY AS s(secret, i)`);
    await db.query(`
      UPDATE endpoints e SET keys_issued = 1 + r.rotations,
             signing_keys = coalesce((
               SELECT jsonb_agg(jsonb_build_object('key_id', e.id || '.signing.' || (1 + r.rotations - (s.i - 1)), 'expires_at', s.secret -> 'expires_at') ORDER BY s.i)
                 FROM jsonb_array_elements(e.secrets) WITH ORDINALITY AS s(secret, i)), '[]'::jsonb)
        FROM endpoint_rotations r WHERE r.id = e.id`);
    await db.query(`
      INSERT INTO endpoint_keys (key_id, endpoint_id, purpose, sealed, legacy_binding, created_at)
      SELECT id || '.auth', id, 'auth', auth ->> 'sealed', true, updated_at FROM endpoints WHERE auth IS NOT NULL`);
    await db.query(`UPDATE endpoints SET auth = (auth - 'sealed') || jsonb_build_object('key_id', id || '.auth') WHERE auth IS NOT NULL`);
    await db.query(`ALTER TABLE endpoints DROP COLUMN secrets`);
    await db.query(`
      UPDATE endpoints e SET deleted_at = d.recorded_at
        FROM (SELECT DISTINCT ON (stream_id) stream_id, recorded_at FROM events WHERE type = 'EndpointDeleted'
               ORDER BY stream_id, stream_version DESC) d
       WHERE d.stream_id = 'endpoint-' || e.id AND e.deleted_at IS NOT NULL`);
    await this.timesAsTheProjectorWritesThem(db);
  }

  /**
   * The projector writes the events' recorded_at as the driver hands it over: a JavaScript Date,
   * whole milliseconds, and not always date_trunc's (0.579 s reads as 578.999… ms, so 578). The
   * rows kept now()'s microseconds, so the times go through the same driver round trip once.
   */
  private async timesAsTheProjectorWritesThem(db: QueryRunner): Promise<void> {
    const rows: { id: string; created_at: Date; updated_at: Date; deleted_at: Date | null }[] =
      await db.query(`SELECT id, created_at, updated_at, deleted_at FROM endpoints ORDER BY id`);
    for (let i = 0; i < rows.length; i += 1000) {
      const page = rows.slice(i, i + 1000);
      await db.query(`
        UPDATE endpoints e SET created_at = t.created_at, updated_at = t.updated_at, deleted_at = t.deleted_at
          FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[]) AS t(id, created_at, updated_at, deleted_at)
         WHERE e.id = t.id`,
        [page.map((r) => r.id), page.map((r) => r.created_at), page.map((r) => r.updated_at), page.map((r) => r.deleted_at)]);
    }
  }

  async down(): Promise<void> {
    throw new Error('EndpointKeys1732400000030 cannot be undone: the sealed keys left the endpoints row and the events never held them');
  }
}

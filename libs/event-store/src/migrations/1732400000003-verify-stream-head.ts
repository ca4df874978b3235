import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chain verification also checks the stream's head: the last event must be the version and hash
 * that `streams` recorded at append time. Without it, deleting the newest events of a stream
 * (behind a disabled trigger) left a chain that still verified.
 */
export class VerifyStreamHead1732400000003 implements MigrationInterface {
  name = 'VerifyStreamHead1732400000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION hl_verify_stream(p_stream_id text) RETURNS integer LANGUAGE plpgsql STABLE AS $$
      DECLARE
        r        record;
        v_prev   bytea := NULL;
        v_next   integer := 1;
        v_head   record;
      BEGIN
        FOR r IN SELECT * FROM events WHERE stream_id = p_stream_id ORDER BY stream_version LOOP
          IF r.stream_version <> v_next OR r.hash IS DISTINCT FROM
             hl_event_digest(v_prev, r.stream_id, r.stream_version, r.type, r.schema_version, r.data, r.metadata, r.recorded_at) THEN
            RETURN r.stream_version;
          END IF;
          v_prev := r.hash;
          v_next := v_next + 1;
        END LOOP;
        SELECT version, last_hash INTO v_head FROM streams WHERE stream_id = p_stream_id;
        IF FOUND AND (v_head.version <> v_next - 1 OR v_head.last_hash IS DISTINCT FROM v_prev) THEN
          RETURN v_next; -- the first version missing from the end of the chain
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(): Promise<void> {
    // The previous definition is in EventStore1732400000000; re-running it is not needed to roll back data.
  }
}

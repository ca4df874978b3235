import type { MigrationInterface, QueryRunner } from 'typeorm';

const HEADS = 'hl_append_heads(text[], text[], text[])';
const CHAINED = 'hl_append_chained(text[], text[], integer[], integer[], bytea[], boolean[], text[], integer[], text[], smallint[], jsonb[], jsonb[], bytea[], bigint)';

/**
 * The store's append in two set-based statements, the chain digests computed by the app
 * (EventStore.append): `hl_append_events` walked every event in a PL/pgSQL loop and hashed it
 * there (jsonb::text of data and metadata, then sha256), about 165 µs of Postgres time per delivery.
 * The digest is the same (`hl_event_digest`, over the same canonical text: libs/ledger's
 * canonicalJsonb is what the app both hashes and sends), so every verifier reads the events as before.
 *
 * - `hl_append_heads` creates the streams appended without an expected version (as
 *   `hl_append_events` did), locks every appended stream that exists, in id order, and answers
 *   their heads (in one row of arrays, so that a batch of new streams still gets the rest), the transaction's now() in epoch microseconds (what the digest hashes and
 *   recorded_at will hold) and its xid. A stream with no row is new: the app checks the expected
 *   versions against these heads before anything is written.
 * - `hl_append_chained` writes what the app computed: new streams' rows (inserted in id order; one
 *   created meanwhile by a concurrent writer is a conflict), the other heads moved only from the
 *   version the app read (HL409 otherwise), and the events with their versions and hashes. It
 *   refuses hashes computed for another transaction's time, and event versions that do not fill
 *   each stream's range from its old head to its new one exactly.
 *
 * `hl_append_events` stays as it is for its other callers. Both new functions run as the owner, with
 * a pinned search_path, EXECUTE revoked from PUBLIC and granted to the apps' role (app-role.ts).
 */
export class AppChainedAppend1732400000090 implements MigrationInterface {
  name = 'AppChainedAppend1732400000090';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION hl_append_heads(p_stream_ids text[], p_create_ids text[], p_create_types text[])
      RETURNS TABLE (stream_ids text[], versions integer[], last_hashes bytea[], now_us text, xid text)
      LANGUAGE sql VOLATILE AS $$
        INSERT INTO streams AS s (stream_id, type, version)
          SELECT i.id, i.type, 0 FROM unnest(p_create_ids, p_create_types) AS i(id, type) ORDER BY i.id
          ON CONFLICT DO NOTHING;
        SELECT array_agg(l.stream_id), array_agg(l.version), array_agg(l.last_hash),
               (extract(epoch FROM now()) * 1000000)::bigint::text, pg_current_xact_id()::text
          FROM (SELECT s.stream_id, s.version, s.last_hash FROM streams s
                 WHERE s.stream_id = ANY (p_stream_ids) ORDER BY s.stream_id FOR UPDATE) AS l;
      $$`);
    await db.query(`
      CREATE FUNCTION hl_append_chained(
        p_stream_ids text[], p_stream_types text[], p_prev_versions integer[], p_versions integer[], p_hashes bytea[], p_new boolean[],
        p_event_stream_ids text[], p_event_versions integer[], p_event_types text[], p_schema_versions smallint[],
        p_data jsonb[], p_metadata jsonb[], p_event_hashes bytea[], p_recorded_us bigint)
      RETURNS TABLE (stream_id text, stream_version integer, global_position bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_now      timestamptz := now();
        v_moved    integer := 0;
        v_count    integer;
        v_conflict record;
      BEGIN
        IF p_recorded_us IS DISTINCT FROM (extract(epoch FROM v_now) * 1000000)::bigint THEN
          RAISE EXCEPTION 'the events were hashed for another transaction''s time (read the heads in this transaction)' USING ERRCODE = '22023';
        END IF;
        IF (SELECT coalesce(sum(h.version - h.prev), 0) FROM unnest(p_prev_versions, p_versions) AS h(prev, version))
           IS DISTINCT FROM coalesce(cardinality(p_event_stream_ids), 0)::bigint THEN
          RAISE EXCEPTION 'the streams'' new versions do not account for the events appended' USING ERRCODE = '22023';
        END IF;

        IF true = ANY (p_new) THEN
          INSERT INTO streams AS s (stream_id, type, version, last_hash, created_at, updated_at)
            SELECT h.id, h.type, h.version, h.hash, v_now, v_now
              FROM unnest(p_stream_ids, p_stream_types, p_prev_versions, p_versions, p_hashes, p_new) AS h(id, type, prev, version, hash, new)
             WHERE h.new AND h.prev = 0
             ORDER BY h.id
            ON CONFLICT DO NOTHING;
          GET DIAGNOSTICS v_count = ROW_COUNT;
          v_moved := v_count;
        END IF;
        IF false = ANY (p_new) THEN
          UPDATE streams s SET version = h.version, last_hash = h.hash, updated_at = v_now
            FROM unnest(p_stream_ids, p_prev_versions, p_versions, p_hashes, p_new) AS h(id, prev, version, hash, new)
           WHERE NOT h.new AND s.stream_id = h.id AND s.version = h.prev AND h.version >= h.prev;
          GET DIAGNOSTICS v_count = ROW_COUNT;
          v_moved := v_moved + v_count;
        END IF;
        IF v_moved <> cardinality(p_stream_ids) THEN
          SELECT h.id, h.prev AS expected, coalesce(s.version, 0) AS actual INTO v_conflict
            FROM unnest(p_stream_ids, p_prev_versions, p_versions) AS h(id, prev, version)
            LEFT JOIN streams s ON s.stream_id = h.id
           ORDER BY (s.version IS DISTINCT FROM h.version) DESC, h.id LIMIT 1;
          RAISE EXCEPTION 'stream % is at version %, expected %', v_conflict.id, v_conflict.actual, v_conflict.expected
            USING ERRCODE = 'HL409', DETAIL = v_conflict.id;
        END IF;

        RETURN QUERY
          INSERT INTO events AS e (stream_id, stream_version, type, schema_version, data, metadata, recorded_at, hash)
          SELECT ev.sid, ev.version, ev.type, ev.schema, ev.data, ev.meta, v_now, ev.hash
            FROM unnest(p_event_stream_ids, p_event_versions, p_event_types, p_schema_versions, p_data, p_metadata, p_event_hashes)
                 WITH ORDINALITY AS ev(sid, version, type, schema, data, meta, hash, ord)
            JOIN unnest(p_stream_ids, p_prev_versions, p_versions) AS h(id, prev, head) ON h.id = ev.sid
           WHERE ev.version > h.prev AND ev.version <= h.head
           ORDER BY ev.ord
          RETURNING e.stream_id, e.stream_version, e.global_position;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        IF v_count <> coalesce(cardinality(p_event_stream_ids), 0) THEN
          RAISE EXCEPTION 'an event''s version is outside its stream''s appended range' USING ERRCODE = '22023';
        END IF;
      END $$`);
    await db.query(`
      DO $$ BEGIN
        EXECUTE format('ALTER FUNCTION ${HEADS} SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', current_schema());
        EXECUTE format('ALTER FUNCTION ${CHAINED} SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', current_schema());
      END $$`);
    await db.query(`REVOKE EXECUTE ON FUNCTION ${HEADS}, ${CHAINED} FROM PUBLIC`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS ${CHAINED}`);
    await db.query(`DROP FUNCTION IF EXISTS ${HEADS}`);
  }
}

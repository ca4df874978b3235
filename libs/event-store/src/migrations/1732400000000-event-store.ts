import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only event store: events, stream versions, reader checkpoints, the immutability
 * trigger, the per-stream hash chain and the one-round-trip multi-stream append.
 */
export class EventStore1732400000000 implements MigrationInterface {
  name = 'EventStore1732400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text        NOT NULL,
        stream_version  integer     NOT NULL,
        type            text        NOT NULL,
        schema_version  smallint    NOT NULL DEFAULT 1,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        hash            bytea       NOT NULL,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    // Catch-up readers walk (transaction_id, global_position): see EventReader for why.
    await db.query(`CREATE INDEX events_transaction_position ON events (transaction_id, global_position)`);
    await db.query(`CREATE INDEX events_type_position ON events (type, global_position)`);

    await db.query(`
      CREATE TABLE streams (
        stream_id  text        PRIMARY KEY,
        type       text        NOT NULL,
        version    integer     NOT NULL,
        last_hash  bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE reader_checkpoints (
        name            text        PRIMARY KEY,
        transaction_id  xid8        NOT NULL,
        global_position bigint      NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);

    // The ledger is evidence: no role, not even the owner through SQL, may rewrite it.
    await db.query(`
      CREATE FUNCTION hl_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'HL403';
      END $$`);
    await db.query(`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION hl_refuse_event_change()`);
    await db.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION hl_refuse_event_change()`);

    // Canonical text of an event for the hash chain. jsonb::text is deterministic for a value
    // (keys sorted, whitespace normalised); time is hashed as epoch microseconds so that the
    // session's DateStyle/TimeZone cannot change the digest.
    await db.query(`
      CREATE FUNCTION hl_event_digest(prev bytea, p_stream_id text, p_version integer, p_type text,
                                      p_schema smallint, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz)
      RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(coalesce(prev, ''::bytea) || convert_to(concat_ws(E'\\n',
          p_stream_id, p_version::text, p_type, p_schema::text,
          (extract(epoch FROM p_recorded_at) * 1000000)::bigint::text,
          p_data::text, p_metadata::text), 'UTF8'))
      $$`);

    // Append events to many streams in one round trip. Every stream's expected version is checked
    // (NULL = any) after locking the streams in a fixed order — so concurrent batches cannot
    // deadlock — and before a single events sequence value is taken, so a refused append leaves
    // no gap-making half-write behind. Returns one row per event, in input order.
    await db.query(`
      CREATE FUNCTION hl_append_events(
        p_stream_ids text[], p_stream_types text[], p_expected_versions integer[],
        p_event_stream_ids text[], p_event_types text[], p_schema_versions smallint[],
        p_data jsonb[], p_metadata jsonb[])
      RETURNS TABLE (stream_id text, stream_version integer, global_position bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_now      timestamptz := now();
        v_conflict record;
        v_stream   text := NULL;
        v_version  integer;
        v_hash     bytea;
        r          record;
        a_ord      bigint[] := '{}';
        a_version  integer[] := '{}';
        a_hash     bytea[] := '{}';
      BEGIN
        INSERT INTO streams AS s (stream_id, type, version)
          SELECT i.id, i.type, 0 FROM unnest(p_stream_ids, p_stream_types) AS i(id, type) ORDER BY i.id
          ON CONFLICT DO NOTHING;
        PERFORM 1 FROM streams s WHERE s.stream_id = ANY (p_stream_ids) ORDER BY s.stream_id FOR UPDATE;

        SELECT e.id, e.expected, s.version AS actual INTO v_conflict
          FROM unnest(p_stream_ids, p_expected_versions) AS e(id, expected)
          JOIN streams s ON s.stream_id = e.id
         WHERE e.expected IS NOT NULL AND e.expected <> s.version
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'stream % is at version %, expected %', v_conflict.id, v_conflict.actual, v_conflict.expected
            USING ERRCODE = 'HL409', DETAIL = v_conflict.id;
        END IF;

        -- Extend each stream's chain in order; events are then inserted in input order.
        FOR r IN
          SELECT ev.sid, ev.type, ev.schema, ev.data, ev.meta, ev.ord
            FROM unnest(p_event_stream_ids, p_event_types, p_schema_versions, p_data, p_metadata)
                 WITH ORDINALITY AS ev(sid, type, schema, data, meta, ord)
           ORDER BY ev.sid, ev.ord
        LOOP
          IF v_stream IS DISTINCT FROM r.sid THEN
            IF v_stream IS NOT NULL THEN
              UPDATE streams s SET version = v_version, last_hash = v_hash, updated_at = v_now WHERE s.stream_id = v_stream;
            END IF;
            SELECT s.version, s.last_hash INTO v_version, v_hash FROM streams s WHERE s.stream_id = r.sid;
            IF NOT FOUND THEN
              RAISE EXCEPTION 'event for stream % which is not among the appended streams', r.sid USING ERRCODE = '22023';
            END IF;
            v_stream := r.sid;
          END IF;
          v_version := v_version + 1;
          v_hash := hl_event_digest(v_hash, r.sid, v_version, r.type, coalesce(r.schema, 1::smallint),
                                    r.data, coalesce(r.meta, '{}'::jsonb), v_now);
          a_ord := a_ord || r.ord;
          a_version := a_version || v_version;
          a_hash := a_hash || v_hash;
        END LOOP;
        IF v_stream IS NOT NULL THEN
          UPDATE streams s SET version = v_version, last_hash = v_hash, updated_at = v_now WHERE s.stream_id = v_stream;
        END IF;

        RETURN QUERY
          INSERT INTO events AS e (stream_id, stream_version, type, schema_version, data, metadata, recorded_at, hash)
          SELECT ev.sid, h.version, ev.type, coalesce(ev.schema, 1::smallint), ev.data, coalesce(ev.meta, '{}'::jsonb), v_now, h.hash
            FROM unnest(p_event_stream_ids, p_event_types, p_schema_versions, p_data, p_metadata)
                 WITH ORDINALITY AS ev(sid, type, schema, data, meta, ord)
            JOIN unnest(a_ord, a_version, a_hash) AS h(ord, version, hash) ON h.ord = ev.ord
           ORDER BY ev.ord
          RETURNING e.stream_id, e.stream_version, e.global_position;
      END $$`);

    // Recomputes a stream's chain; returns the first version whose hash does not match, or NULL.
    await db.query(`
      CREATE FUNCTION hl_verify_stream(p_stream_id text) RETURNS integer LANGUAGE plpgsql STABLE AS $$
      DECLARE
        r      record;
        v_prev bytea := NULL;
        v_next integer := 1;
      BEGIN
        FOR r IN SELECT * FROM events WHERE stream_id = p_stream_id ORDER BY stream_version LOOP
          IF r.stream_version <> v_next OR r.hash IS DISTINCT FROM
             hl_event_digest(v_prev, r.stream_id, r.stream_version, r.type, r.schema_version, r.data, r.metadata, r.recorded_at) THEN
            RETURN r.stream_version;
          END IF;
          v_prev := r.hash;
          v_next := v_next + 1;
        END LOOP;
        RETURN NULL;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS hl_verify_stream(text)`);
    await db.query(`DROP FUNCTION IF EXISTS hl_append_events(text[], text[], integer[], text[], text[], smallint[], jsonb[], jsonb[])`);
    await db.query(`DROP FUNCTION IF EXISTS hl_event_digest(bytea, text, integer, text, smallint, jsonb, jsonb, timestamptz)`);
    await db.query(`DROP TABLE IF EXISTS reader_checkpoints, streams`);
    await db.query(`DROP TRIGGER IF EXISTS events_no_truncate ON events`);
    await db.query(`DROP TABLE IF EXISTS events`);
    await db.query(`DROP FUNCTION IF EXISTS hl_refuse_event_change()`);
  }
}

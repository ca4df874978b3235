import type { MigrationInterface, QueryRunner } from 'typeorm';

// The lock, the version check and the events INSERT are as before; only the chain walk changes.
const HEAD = `
  CREATE OR REPLACE FUNCTION hl_append_events(
    p_stream_ids text[], p_stream_types text[], p_expected_versions integer[],
    p_event_stream_ids text[], p_event_types text[], p_schema_versions smallint[],
    p_data jsonb[], p_metadata jsonb[])
  RETURNS TABLE (stream_id text, stream_version integer, global_position bigint)
  LANGUAGE plpgsql AS $$`;

const LOCK_AND_CHECK = `
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
    END IF;`;

const INSERT_EVENTS = `
    RETURN QUERY
      INSERT INTO events AS e (stream_id, stream_version, type, schema_version, data, metadata, recorded_at, hash)
      SELECT ev.sid, h.version, ev.type, coalesce(ev.schema, 1::smallint), ev.data, coalesce(ev.meta, '{}'::jsonb), v_now, h.hash
        FROM unnest(p_event_stream_ids, p_event_types, p_schema_versions, p_data, p_metadata)
             WITH ORDINALITY AS ev(sid, type, schema, data, meta, ord)
        JOIN unnest(a_ord, a_version, a_hash) AS h(ord, version, hash) ON h.ord = ev.ord
       ORDER BY ev.ord
      RETURNING e.stream_id, e.stream_version, e.global_position;`;

/**
 * `hl_append_events` walks the hash chains with its statements set-wise. It ran two statements per
 * stream inside its loop (read the stream's head, write it back) and grew its arrays by copying
 * them per event: an ingest batch appends to a few hundred streams at once (a message and a
 * delivery per event), so most of the function's time went to per-row statements, not to hashing.
 * Now the loop reads each stream's head from the one query it walks, the heads are written back
 * in one UPDATE, and the arrays are filled in place. Same versions, same hashes, same answers
 * (the store's specs and the tamper-evidence spec hold it to that), same errors.
 */
export class SetBasedAppend1732400000055 implements MigrationInterface {
  name = 'SetBasedAppend1732400000055';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`${HEAD}
  DECLARE
    v_now      timestamptz := now();
    v_conflict record;
    v_stream   text := NULL;
    v_version  integer;
    v_hash     bytea;
    r          record;
    n          integer := 0;
    m          integer := 0;
    a_ord      bigint[] := '{}';
    a_version  integer[] := '{}';
    a_hash     bytea[] := '{}';
    h_stream   text[] := '{}';
    h_version  integer[] := '{}';
    h_hash     bytea[] := '{}';
  BEGIN${LOCK_AND_CHECK}

    -- Extend each stream's chain in order, from its head as the walk's own query reads it.
    FOR r IN
      SELECT ev.sid, ev.type, ev.schema, ev.data, ev.meta, ev.ord, s.version AS head_version, s.last_hash AS head_hash,
             s.stream_id IS NOT NULL AS known
        FROM unnest(p_event_stream_ids, p_event_types, p_schema_versions, p_data, p_metadata)
             WITH ORDINALITY AS ev(sid, type, schema, data, meta, ord)
        LEFT JOIN streams s ON s.stream_id = ev.sid
       ORDER BY ev.sid, ev.ord
    LOOP
      IF v_stream IS DISTINCT FROM r.sid THEN
        IF NOT r.known THEN
          RAISE EXCEPTION 'event for stream % which is not among the appended streams', r.sid USING ERRCODE = '22023';
        END IF;
        IF v_stream IS NOT NULL THEN
          m := m + 1; h_stream[m] := v_stream; h_version[m] := v_version; h_hash[m] := v_hash;
        END IF;
        v_stream := r.sid; v_version := r.head_version; v_hash := r.head_hash;
      END IF;
      v_version := v_version + 1;
      v_hash := hl_event_digest(v_hash, r.sid, v_version, r.type, coalesce(r.schema, 1::smallint),
                                r.data, coalesce(r.meta, '{}'::jsonb), v_now);
      n := n + 1; a_ord[n] := r.ord; a_version[n] := v_version; a_hash[n] := v_hash;
    END LOOP;
    IF v_stream IS NOT NULL THEN
      m := m + 1; h_stream[m] := v_stream; h_version[m] := v_version; h_hash[m] := v_hash;
    END IF;
    UPDATE streams s SET version = h.version, last_hash = h.hash, updated_at = v_now
      FROM unnest(h_stream, h_version, h_hash) AS h(id, version, hash)
     WHERE s.stream_id = h.id;
${INSERT_EVENTS}
  END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`${HEAD}
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
  BEGIN${LOCK_AND_CHECK}

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
${INSERT_EVENTS}
  END $$`);
  }
}

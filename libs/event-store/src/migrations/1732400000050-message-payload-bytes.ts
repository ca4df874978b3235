import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Version 1 MessageReceived events per statement: bounds the arrays one append takes, whatever the store's size. */
const BATCH = 10_000;

// Where the next batch of version 1 MessageReceived events ends (NULL when none is left), read on
// by position from where the previous one ended, so the whole upgrade reads the store once.
const NEXT_BATCH_SQL = `
  SELECT max(global_position)::text AS last FROM (
    SELECT global_position FROM events
     WHERE type = 'MessageReceived' AND schema_version = 1 AND global_position > $1::bigint
     ORDER BY global_position LIMIT $2) batch`;

// One MessagePayloadPreserved per stream of the batch, after its MessageReceived, through the
// store's own append (so each chain goes on from its last hash). A stream whose head is no longer
// that MessageReceived already got it (the statement ran before); a message with no row (nothing
// kept its bytes) gets none. The stream and the row are looked up per event (LATERAL … LIMIT 1,
// one index probe each): as plain joins the planner hashed all of streams and messages for every
// batch, and the upgrade grew with the square of the store.
const PRESERVE_SQL = `
  WITH todo AS (
    SELECT e.stream_id, s.version,
           jsonb_build_object('id', m.id, 'tenant_id', m.tenant_id, 'payload', m.data::text,
                              'received_at', to_char(m.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) AS data
      FROM events e
      CROSS JOIN LATERAL (SELECT s.version FROM streams s WHERE s.stream_id = e.stream_id LIMIT 1) s
      CROSS JOIN LATERAL (SELECT m.id, m.tenant_id, m.data, m.received_at FROM messages m
                           WHERE m.tenant_id = coalesce(e.data->>'tenant_id', 'default') AND m.id = e.data->>'id' LIMIT 1) m
     WHERE e.type = 'MessageReceived' AND e.schema_version = 1
       AND e.global_position > $1::bigint AND e.global_position <= $2::bigint
       AND s.version = e.stream_version
  )
  SELECT count(*)::int AS appended FROM hl_append_events(
    (SELECT array_agg(stream_id ORDER BY stream_id) FROM todo),
    (SELECT array_agg('message'::text) FROM todo),
    (SELECT array_agg(version ORDER BY stream_id) FROM todo),
    (SELECT array_agg(stream_id ORDER BY stream_id) FROM todo),
    (SELECT array_agg('MessagePayloadPreserved'::text) FROM todo),
    (SELECT array_agg(1::smallint) FROM todo),
    (SELECT array_agg(data ORDER BY stream_id) FROM todo),
    (SELECT array_agg('{"actor":"system:migration"}'::jsonb) FROM todo))
   WHERE EXISTS (SELECT 1 FROM todo)`;

/**
 * The exact published bytes of every message go into the store. A MessageReceived of
 * schema_version 1 held its payload as jsonb, which lost key order, whitespace and number
 * spelling, so rebuilding `messages` re-serialised those rows. Their bytes survive in
 * `messages.data` (json keeps the text), and the store is append-only and hash-chained, so the old
 * events stay as they are: each such stream gets a new fact after them, MessagePayloadPreserved
 * with the row's text (and its received_at to the microsecond, which ingest wrote unrounded and a
 * rebuild's Date would cut), which the messages projector applies over what the v1 event gives.
 * `messages` itself is not written: the live rows already hold these bytes.
 */
export class MessagePayloadBytes1732400000050 implements MigrationInterface {
  name = 'MessagePayloadBytes1732400000050';

  async up(db: QueryRunner): Promise<void> {
    let after = '0';
    for (;;) {
      const [{ last }]: { last: string | null }[] = await db.query(NEXT_BATCH_SQL, [after, BATCH]);
      if (last === null) return;
      await db.query(PRESERVE_SQL, [after, last]);
      after = last;
    }
  }

  async down(): Promise<void> {
    // The preserved payloads stay: the store is append-only, and older code reads no such event.
  }
}

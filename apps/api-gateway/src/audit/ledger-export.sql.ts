/**
 * The export's two statements, in one place. Every value leaves Postgres as text (ids that can pass
 * 2^53, jsonb exactly as `::text` writes it — the text `hl_event_digest` hashed — and the time to
 * the microsecond), so the API copies it into the file without parsing it.
 */

/** Columns of an exported event, in this order (rowMode 'array'). */
export type ExportRow = [
  position: string, transactionId: string, streamId: string, version: number, type: string, schemaVersion: number,
  recordedAt: string, data: string, metadata: string, prevHash: string | null, hash: string,
];

/**
 * Events in ledger order — (transaction_id, global_position), the order the ledger chain and the
 * checkpoints follow — up to the covering checkpoint's cursor. $1/$2 the cursor, then the filters
 * (NULL = any): $3 tenant, $4 endpoint, $5 type, $6 since, $7 until.
 */
export const EXPORT_EVENTS = `
  SELECT e.global_position::text, e.transaction_id::text, e.stream_id, e.stream_version, e.type, e.schema_version,
         to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
         e.data::text, e.metadata::text,
         encode((SELECT p.hash FROM events p WHERE p.stream_id = e.stream_id AND p.stream_version = e.stream_version - 1), 'hex'),
         encode(e.hash, 'hex')
    FROM events e
   WHERE (e.transaction_id, e.global_position) <= ($1::xid8, $2::bigint)
     AND ($3::text IS NULL
          OR (e.metadata ? 'tenant_id' AND e.metadata->>'tenant_id' = $3)
          OR starts_with(e.stream_id, 'message-' || $3 || '/')
          OR e.stream_id IN (SELECT 'delivery-' || d.id FROM deliveries d WHERE d.tenant_id = $3))
     AND ($4::text IS NULL
          OR e.stream_id = 'endpoint-' || $4
          OR e.stream_id IN (SELECT 'delivery-' || d.id FROM deliveries d WHERE d.endpoint_id = $4))
     AND ($5::text IS NULL OR e.type = $5)
     AND ($6::timestamptz IS NULL OR e.recorded_at >= $6)
     AND ($7::timestamptz IS NULL OR e.recorded_at < $7)
   ORDER BY e.transaction_id, e.global_position`;

export interface CheckpointRow {
  seq: number;
  events: string;
  position: string;
  transaction_id: string;
  head: string;
  previous_head: string;
  signed_at: string;
  public_key: Buffer;
  signature: Buffer;
}

const CHECKPOINT_COLUMNS = `
  seq, events::text, position::text, transaction_id::text, encode(head, 'hex') AS head, encode(previous_head, 'hex') AS previous_head,
  to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS signed_at,
  public_key, signature`;

export const LATEST_CHECKPOINT = `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY seq DESC LIMIT 1`;

/** The next checkpoints after seq $1 up to seq $2, a page at a time: interleaved into a whole-ledger export. */
export const CHECKPOINTS_AFTER = `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`;

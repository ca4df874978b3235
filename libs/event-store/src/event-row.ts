import type { EventMetadata, RecordedEvent } from './event';

/** The columns every reader of `events` selects (as `e`); bigint and xid8 as text, for BigInt. */
export const EVENT_COLUMNS = `e.global_position::text AS position, e.transaction_id::text AS xid,
       e.stream_id, e.stream_version, e.type, e.schema_version, e.data, e.metadata, e.recorded_at`;

export interface EventRow {
  position: string;
  xid: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: BigInt(row.position),
    transactionId: BigInt(row.xid),
    type: row.type,
    schema_version: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

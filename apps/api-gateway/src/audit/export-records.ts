import type { Checkpoint } from '@hookledger/ledger';
import type { CheckpointRow, ExportRow } from './ledger-export.sql';

/** What the last record of every export says about it, next to the checkpoint covering it. */
export interface ExportSummary {
  readonly filters: Record<string, string>;
  readonly events: number;
  /** A whole-ledger export: every event up to the checkpoint, so a verifier can check the ledger chain. */
  readonly complete: boolean;
}

export const CSV_HEADER = 'record,position,stream_id,version,type,schema_version,recorded_at,data,metadata,prev_hash,hash\r\n';

export function checkpointOf(row: CheckpointRow): Checkpoint {
  return {
    seq: row.seq, events: row.events, position: row.position, transaction_id: row.transaction_id, head: row.head,
    previous_head: row.previous_head, signed_at: row.signed_at, public_key: row.public_key.toString('base64'), signature: row.signature.toString('base64'),
  };
}

/** One event as an NDJSON line; data and metadata are copied as Postgres wrote them (their hashed text). */
export function eventLine(row: ExportRow): string {
  const [position, , streamId, version, type, schemaVersion, recordedAt, data, metadata, prevHash, hash] = row;
  return `{"position":"${position}","stream_id":${JSON.stringify(streamId)},"version":${version},"type":${JSON.stringify(type)},`
    + `"schema_version":${schemaVersion},"recorded_at":"${recordedAt}","data":${data},"metadata":${metadata},`
    + `"prev_hash":${prevHash === null ? 'null' : `"${prevHash}"`},"hash":"${hash}"}\n`;
}

export function checkpointLine(checkpoint: Checkpoint, summary?: ExportSummary): string {
  return `${JSON.stringify(summary ? { checkpoint, export: summary } : { checkpoint })}\n`;
}

/** One event as a CSV row (RFC 4180), the record column saying `event`. */
export function eventRow(row: ExportRow): string {
  const [position, , streamId, version, type, schemaVersion, recordedAt, data, metadata, prevHash, hash] = row;
  return csvRow(['event', position, streamId, String(version), type, String(schemaVersion), recordedAt, data, metadata, prevHash ?? '', hash]);
}

/**
 * A checkpoint as a CSV row: record `checkpoint`, its position and head (in the hash column), the
 * whole checkpoint JSON in the data column and, on the last row, the export summary in the metadata column.
 */
export function checkpointRow(checkpoint: Checkpoint, summary?: ExportSummary): string {
  return csvRow(['checkpoint', checkpoint.position, '', '', '', '', '', JSON.stringify(checkpoint), summary ? JSON.stringify(summary) : '', '', checkpoint.head]);
}

function csvRow(cells: readonly string[]): string {
  return `${cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')}\r\n`;
}

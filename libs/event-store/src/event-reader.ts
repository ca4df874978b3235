import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from './event';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './event-row';

/** Position of a catch-up reader: the last (transaction id, global position) it handled. */
export interface Checkpoint {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

/** Before every event: where a new reader, or a projection rebuild, starts. */
export const ZERO_CHECKPOINT: Checkpoint = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export interface ReadBatch {
  readonly events: RecordedEvent[];
  /** Where the next read starts; equal to the input when nothing new was visible. */
  readonly checkpoint: Checkpoint;
}

// Global positions are handed out at INSERT but become visible at COMMIT, so a reader that walks
// positions would step past a slow transaction's lower positions and never come back for them.
// Only transactions older than the snapshot's xmin are certainly finished (committed or rolled
// back), so the reader stops there and walks (transaction_id, global_position) instead.
// The text casts get their own aliases: named like the columns, ORDER BY would sort the text.
const READ_SQL = `
  SELECT ${EVENT_COLUMNS}
    FROM events e
   WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
   ORDER BY e.transaction_id, e.global_position
   LIMIT $3`;

const VERIFY_SQL = `SELECT hl_verify_stream($1) AS broken_version`;

/** Reads the store in commit-safe order for projectors and other catch-up consumers. */
@Injectable()
export class EventReader {
  /** Up to `limit` events after `after` whose transactions have certainly finished. */
  async read(db: EntityManager, after: Checkpoint, limit: number): Promise<ReadBatch> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const rows: EventRow[] = await db.query(READ_SQL, [after.transactionId.toString(), after.globalPosition.toString(), limit]);
    const events = rows.map(toRecordedEvent);
    const last = events[events.length - 1];
    const checkpoint = last ? { transactionId: last.transactionId, globalPosition: last.globalPosition } : after;
    return { events, checkpoint };
  }

  /** Recomputes a stream's hash chain: the first version that does not match, or null when intact. */
  async verifyStream(db: EntityManager, streamId: string): Promise<number | null> {
    const [row]: { broken_version: number | null }[] = await db.query(VERIFY_SQL, [streamId]);
    return row.broken_version;
  }
}

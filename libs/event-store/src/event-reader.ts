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

// A reader that wants only some types (a projector parsing every payload of the store to keep a few
// would pay for all of them) still has to move its checkpoint past the rest, or it would read them
// again forever. The horizon must come from the same statement, so from the same snapshot: taken in
// a second one it could have moved past a matching event that committed in between, unread.
// `e` is the matching events, `h` the last position below the horizon: no row at all when nothing
// new is visible, one row of NULL event columns when something is but none of it matches.
const READ_TYPES_SQL = `
  WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
  e AS (
    SELECT e.* FROM events e
     WHERE e.type = ANY($4::text[])
       AND e.transaction_id < (SELECT xmin FROM horizon)
       AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
     ORDER BY e.transaction_id, e.global_position
     LIMIT $3),
  h AS (
    SELECT e.transaction_id::text AS horizon_xid, e.global_position::text AS horizon_position FROM events e
     WHERE e.transaction_id < (SELECT xmin FROM horizon)
       AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
     ORDER BY e.transaction_id DESC, e.global_position DESC
     LIMIT 1)
  SELECT ${EVENT_COLUMNS}, h.horizon_xid, h.horizon_position
    FROM h LEFT JOIN e ON true
   ORDER BY e.transaction_id, e.global_position`;

const VERIFY_SQL = `SELECT hl_verify_stream($1) AS broken_version`;

/** A row of READ_TYPES_SQL: a matching event (or NULLs when none matched) and the horizon's position. */
type TypedRow = { [K in keyof EventRow]: EventRow[K] | null } & { horizon_xid: string; horizon_position: string };

const positionOf = (event: RecordedEvent): Checkpoint => ({ transactionId: event.transactionId, globalPosition: event.globalPosition });

/** A full batch resumes after its last event (more may match before the horizon); a short one at the horizon. */
function typedBatch(rows: readonly TypedRow[], after: Checkpoint, limit: number): ReadBatch {
  if (rows.length === 0) return { events: [], checkpoint: after };
  const events = rows.filter((row) => row.position !== null).map((row) => toRecordedEvent(row as EventRow));
  if (events.length === limit) return { events, checkpoint: positionOf(events[events.length - 1]) };
  return { events, checkpoint: { transactionId: BigInt(rows[0].horizon_xid), globalPosition: BigInt(rows[0].horizon_position) } };
}

/** Reads the store in commit-safe order for projectors and other catch-up consumers. */
@Injectable()
export class EventReader {
  /**
   * Up to `limit` events after `after` whose transactions have certainly finished; with `types`,
   * only events of those types, the checkpoint moving past the others (to the horizon when fewer
   * than `limit` matched, else to the last one read).
   */
  async read(db: EntityManager, after: Checkpoint, limit: number, types?: readonly string[]): Promise<ReadBatch> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const params = [after.transactionId.toString(), after.globalPosition.toString(), limit];
    if (types) return typedBatch(await db.query(READ_TYPES_SQL, [...params, types]), after, limit);
    const events = (await db.query(READ_SQL, params) as EventRow[]).map(toRecordedEvent);
    return { events, checkpoint: events.length > 0 ? positionOf(events[events.length - 1]) : after };
  }

  /** Recomputes a stream's hash chain: the first version that does not match, or null when intact. */
  async verifyStream(db: EntityManager, streamId: string): Promise<number | null> {
    const [row]: { broken_version: number | null }[] = await db.query(VERIFY_SQL, [streamId]);
    return row.broken_version;
  }
}

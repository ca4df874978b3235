import type { DataSource, EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event';
import { claimCheckpoint, saveCheckpoint } from '../checkpoint-store';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from '../event-row';
import { Checkpoint, EventReader, ZERO_CHECKPOINT } from '../event-reader';
import type { Projector } from './projector';

export interface RebuildProgress {
  readonly projection: string;
  /** Events applied so far. */
  readonly events: number;
}

export interface RebuildOptions {
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

// Inline projections replay in global_position order, which follows every stream's version order
// (positions are taken under the stream's row lock). (transaction_id, global_position) need not: a
// transaction's id is assigned at its first write, which may come well before its append.
const HANDLED_SQL = `
  SELECT ${EVENT_COLUMNS} FROM events e
   WHERE e.type = ANY($1) AND e.global_position > $2::bigint
   ORDER BY e.global_position LIMIT $3`;

/**
 * Rebuilds one projection from the store, in one transaction, and may run beside a live system:
 *
 * - It takes EXCLUSIVE locks on the projector's tables: readers go on reading the old rows (MVCC)
 *   until the commit swaps in the rebuilt ones at once; writers wait until then. Every writer of an
 *   inline projection appends its events first and writes the table after, so a writer still
 *   running is either already visible (it wrote the table before the lock, and the lock waited for
 *   its commit) or blocked on the lock with its events invisible, and applies them itself after.
 * - An async projection's checkpoint is claimed first (the order its runner takes them, so the two
 *   cannot deadlock): the runner waits, and resumes from where the rebuild stopped.
 */
export async function rebuildProjection(db: DataSource, projector: Projector, options: RebuildOptions = {}): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? 1000;
  return db.transaction(async (tx) => {
    const checkpoint = projector.mode === 'async' ? await claimCheckpoint(tx, projector.name) : null;
    await tx.query(`LOCK TABLE ${projector.tables.map(quoteIdent).join(', ')} IN EXCLUSIVE MODE`);
    for (const table of [...projector.tables].reverse()) await tx.query(`DELETE FROM ${quoteIdent(table)}`);
    let applied = 0;
    const progress = (events: readonly RecordedEvent[]) => {
      applied += events.length;
      options.onProgress?.({ projection: projector.name, events: applied });
    };
    if (checkpoint) {
      await saveCheckpoint(tx, projector.name, await replayCatchUp(tx, projector, batchSize, progress));
    } else {
      await replayInline(tx, projector, batchSize, progress);
    }
    return { projection: projector.name, events: applied };
  });
}

async function replayInline(tx: EntityManager, projector: Projector, batchSize: number, progress: (events: readonly RecordedEvent[]) => void) {
  let after = 0n;
  for (;;) {
    const rows: EventRow[] = await tx.query(HANDLED_SQL, [projector.handles, after.toString(), batchSize]);
    if (rows.length === 0) return;
    const events = rows.map(toRecordedEvent);
    await projector.apply(tx, events);
    progress(events);
    after = events[events.length - 1].globalPosition;
  }
}

/** As the catch-up runner reads, from the very start: the checkpoint it returns is where the runner resumes. */
async function replayCatchUp(tx: EntityManager, projector: Projector, batchSize: number, progress: (events: readonly RecordedEvent[]) => void): Promise<Checkpoint> {
  const reader = new EventReader();
  let checkpoint = ZERO_CHECKPOINT;
  for (;;) {
    const batch = await reader.read(tx, checkpoint, batchSize, projector.handles);
    if (batch.events.length > 0) {
      await projector.apply(tx, batch.events);
      progress(batch.events);
    }
    checkpoint = batch.checkpoint;
    if (batch.events.length < batchSize) return checkpoint;
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

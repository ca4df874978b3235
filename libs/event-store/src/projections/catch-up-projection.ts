import type { DataSource } from 'typeorm';
import { claimCheckpoint, saveCheckpoint } from '../checkpoint-store';
import { Checkpoint, EventReader } from '../event-reader';
import type { Projector } from './projector';

/**
 * Runs an async projector from its checkpoint: each step claims the checkpoint, reads one batch of
 * the event types the projector handles in commit-safe order, applies it and saves the checkpoint,
 * all in one transaction — so a crash neither skips nor repeats an event, and a second instance (or a
 * rebuild) waits on the claim instead of applying the same batch twice. The host (the scheduler)
 * decides when to step: on a timer, or woken by the bus.
 */
export class CatchUpProjection {
  constructor(
    private readonly db: DataSource,
    readonly projector: Projector,
    /** Events of its types per step: a step that read this many may have more to read at once. */
    readonly batchSize = 500,
    private readonly reader = new EventReader(),
  ) {
    if (projector.mode !== 'async') throw new Error(`projector ${projector.name} is ${projector.mode}: EventStore.append applies it`);
  }

  /**
   * One batch of the projector's event types (the reader skips the others, moving the checkpoint
   * past them); answers how many it read: fewer than `batchSize` once caught up with the horizon.
   */
  async step(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const from = await claimCheckpoint(tx, this.projector.name);
      const batch = await this.reader.read(tx, from, this.batchSize, this.projector.handles);
      if (batch.events.length > 0) await this.projector.apply(tx, batch.events);
      if (!samePosition(batch.checkpoint, from)) await saveCheckpoint(tx, this.projector.name, batch.checkpoint);
      return batch.events.length;
    });
  }

  /** Steps until a read is short of a full batch (it reached the horizon); answers how many events it read. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const read = await this.step();
      total += read;
      if (read < this.batchSize) return total;
    }
  }
}

const samePosition = (a: Checkpoint, b: Checkpoint): boolean => a.transactionId === b.transactionId && a.globalPosition === b.globalPosition;

import type { DataSource } from 'typeorm';
import { claimCheckpoint, saveCheckpoint } from '../checkpoint-store';
import { EventReader } from '../event-reader';
import type { Projector } from './projector';

/**
 * Runs an async projector from its checkpoint: each step claims the checkpoint, reads one batch in
 * commit-safe order, applies the events the projector handles and saves the checkpoint, all in one
 * transaction — so a crash neither skips nor repeats an event, and a second instance (or a
 * rebuild) waits on the claim instead of applying the same batch twice. The host (the scheduler)
 * decides when to step: on a timer, or woken by the bus.
 */
export class CatchUpProjection {
  constructor(
    private readonly db: DataSource,
    readonly projector: Projector,
    private readonly batchSize = 500,
    private readonly reader = new EventReader(),
  ) {
    if (projector.mode !== 'async') throw new Error(`projector ${projector.name} is ${projector.mode}: EventStore.append applies it`);
  }

  /** One batch; answers how many events it read (0 when caught up with the store's horizon). */
  async step(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const batch = await this.reader.read(tx, await claimCheckpoint(tx, this.projector.name), this.batchSize);
      if (batch.events.length === 0) return 0;
      const handled = batch.events.filter((event) => this.projector.handles.includes(event.type));
      if (handled.length > 0) await this.projector.apply(tx, handled);
      await saveCheckpoint(tx, this.projector.name, batch.checkpoint);
      return batch.events.length;
    });
  }

  /** Steps until a read finds nothing new; answers how many events it read. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let read = await this.step(); read > 0; read = await this.step()) total += read;
    return total;
  }
}

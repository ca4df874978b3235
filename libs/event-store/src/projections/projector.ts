import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event';

/**
 * `inline`: applied by EventStore.append in the append's transaction, so the table is never stale
 * (what the API reads back after a command). `async`: applied after commit by a CatchUpProjection
 * from its checkpoint (health, usage, search), so a slow projector never slows a writer.
 */
export type ProjectionMode = 'inline' | 'async';

/** The one writer of its tables: it turns events into rows, and a rebuild replays it from the store. */
export interface Projector {
  /** What `npm run projections:rebuild -- <name>` calls it; also its checkpoint name when async. */
  readonly name: string;
  readonly mode: ProjectionMode;
  /** Every table it writes, parents before children; a rebuild empties them in reverse order. */
  readonly tables: readonly string[];
  /** The event types it reads; appends of no such type never reach it. */
  readonly handles: readonly string[];
  /** Applies events in store order. Inline, `tx` is the append's transaction. */
  apply(tx: EntityManager, events: readonly RecordedEvent[]): Promise<void>;
}

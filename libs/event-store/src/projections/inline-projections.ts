import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

/**
 * The inline projectors of a process, indexed by the event types they handle, so that an append
 * of types nobody projects (the dispatcher's, ingest's on the hot path) costs one Set lookup per
 * event and nothing else: no extra columns, no parsing, no statement.
 */
export class InlineProjections {
  private readonly projectors: readonly { readonly projector: Projector; readonly handles: ReadonlySet<string> }[];
  private readonly types: ReadonlySet<string>;

  constructor(projectors: readonly Projector[]) {
    const inline = projectors.filter((projector) => projector.mode === 'inline');
    this.projectors = inline.map((projector) => ({ projector, handles: new Set(projector.handles) }));
    this.types = new Set(inline.flatMap((projector) => projector.handles));
  }

  handles(type: string): boolean {
    return this.types.has(type);
  }

  /** Hands each projector the events it handles, in append order, in the append's transaction. */
  async apply(tx: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    for (const { projector, handles } of this.projectors) {
      const handled = events.filter((event) => handles.has(event.type));
      if (handled.length > 0) await projector.apply(tx, handled);
    }
  }
}

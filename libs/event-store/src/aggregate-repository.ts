import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Decider } from '@hookledger/domain';
import { ConcurrencyError, EventMetadata, RecordedEvent } from './event';
import { EventStore } from './event-store';

/** What the store needs to know of an aggregate to run its commands. */
export interface Aggregate<Command, State, Event extends { type: string; schema_version: number; data: object }> {
  /** `streams.type` of its streams. */
  readonly streamType: string;
  readonly decider: Decider<Command, State, Event>;
  /** The domain's reader of stored events (upcasts old schema_versions); null skips a type it does not know. */
  readonly read: (stored: RecordedEvent) => Event | null;
  /**
   * Facts recorded on another stream that begin this one's history (a delivery's schedule, which
   * its message's fan-out records since issue 16), given the stream as stored: folded before it,
   * never appended. Absent for aggregates whose stream holds their whole history.
   */
  readonly origin?: (tx: EntityManager, streamId: string, stored: readonly RecordedEvent[]) => Promise<readonly Event[]>;
}

export interface Handled<State, Event> {
  /** The events the command led to (none when it changed nothing). */
  readonly events: readonly Event[];
  /** The stream's state after them. */
  readonly state: State;
  /** The stream's version after them. */
  readonly version: number;
}

/**
 * Each try re-reads the stream and decides again, so a retry never acts on stale state. Of the
 * writers that read one version, one wins each round: five tries see five racing writers through.
 */
const TRIES = 5;

/**
 * Runs a command against one stream: loads its events, folds them, decides, and appends at the
 * version it read, in one transaction (inline projections write in the same one). When another
 * writer appended to the stream in between, the append fails on the version and the whole
 * command runs again on the new state; after TRIES the ConcurrencyError reaches the caller (409).
 */
@Injectable()
export class AggregateRepository {
  constructor(private readonly db: DataSource, private readonly store: EventStore) {}

  async handle<Command, State, Event extends { type: string; schema_version: number; data: object }>(
    aggregate: Aggregate<Command, State, Event>,
    streamId: string,
    command: Command,
    metadata: EventMetadata | ((state: State) => EventMetadata),
  ): Promise<Handled<State, Event>> {
    return this.transaction((tx) => this.handleIn(tx, aggregate, streamId, command, metadata));
  }

  /**
   * Runs `work` in one transaction, again from the start (up to TRIES) when an append in it lost
   * a race for a stream: for a command that changes several streams at once (a tenant deleted
   * with its keys and endpoints) or whose transaction holds more than the append (a key's digest
   * or a sealed signing key issued with it, an outbox event, a quota checked under the tenant's
   * lock), which must commit or vanish with it.
   */
  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= TRIES) throw error;
      }
    }
  }

  /**
   * `handle` inside the caller's transaction, once, for a command that belongs with other work (the
   * replay runner's page and the row lock it claimed; a tenant deleted with its keys). No retry of
   * its own: a ConcurrencyError rolls back the caller's whole transaction, which `transaction` (or
   * the caller) runs again from the start.
   */
  async handleIn<Command, State, Event extends { type: string; schema_version: number; data: object }>(
    tx: EntityManager,
    aggregate: Aggregate<Command, State, Event>,
    streamId: string,
    command: Command,
    /** Or made from the state the command was decided in (a key's tenant, for the audit trail). */
    metadata: EventMetadata | ((state: State) => EventMetadata),
  ): Promise<Handled<State, Event>> {
    const stream = await this.store.loadStream(tx, streamId);
    let state = aggregate.decider.initialState;
    for (const event of (await aggregate.origin?.(tx, streamId, stream.events)) ?? []) state = aggregate.decider.evolve(state, event);
    for (const stored of stream.events) {
      const event = aggregate.read(stored);
      if (event) state = aggregate.decider.evolve(state, event);
    }
    const events = aggregate.decider.decide(command, state);
    if (events.length === 0) return { events, state, version: stream.version };
    const recorded = typeof metadata === 'function' ? metadata(state) : metadata;
    await this.store.append(tx, [{
      streamId, streamType: aggregate.streamType, expectedVersion: stream.version,
      events: events.map((event) => ({ type: event.type, schema_version: event.schema_version, data: event.data as Record<string, unknown>, metadata: recorded })),
    }]);
    for (const event of events) state = aggregate.decider.evolve(state, event);
    return { events, state, version: stream.version + events.length };
  }
}

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
    metadata: EventMetadata,
  ): Promise<Handled<State, Event>> {
    return this.retrying((tx) => this.handleIn(tx, aggregate, streamId, command, metadata));
  }

  /**
   * Runs `work` in a transaction, and again from the start when it meets a ConcurrencyError (up to
   * TRIES): for a command whose transaction holds more than the append (a sealed key issued with
   * it, an outbox event, a quota checked under the tenant's lock), which must commit or vanish with it.
   */
  async retrying<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= TRIES) throw error;
      }
    }
  }

  /** One try of a command inside the caller's transaction: load, fold, decide, append at the version read. */
  async handleIn<Command, State, Event extends { type: string; schema_version: number; data: object }>(
    tx: EntityManager,
    aggregate: Aggregate<Command, State, Event>,
    streamId: string,
    command: Command,
    metadata: EventMetadata,
  ): Promise<Handled<State, Event>> {
    const stream = await this.store.loadStream(tx, streamId);
    let state = aggregate.decider.initialState;
    for (const stored of stream.events) {
      const event = aggregate.read(stored);
      if (event) state = aggregate.decider.evolve(state, event);
    }
    const events = aggregate.decider.decide(command, state);
    if (events.length === 0) return { events, state, version: stream.version };
    await this.store.append(tx, [{
      streamId, streamType: aggregate.streamType, expectedVersion: stream.version,
      events: events.map((event) => ({ type: event.type, schema_version: event.schema_version, data: event.data as Record<string, unknown>, metadata })),
    }]);
    for (const event of events) state = aggregate.decider.evolve(state, event);
    return { events, state, version: stream.version + events.length };
  }
}

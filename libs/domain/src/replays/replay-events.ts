import type { DomainEvent } from '../domain-event';

export const ReplayEventType = {
  ReplayRequested: 'ReplayRequested',
  ReplayPageDispatched: 'ReplayPageDispatched',
  ReplayCompleted: 'ReplayCompleted',
  ReplayRecorded: 'ReplayRecorded',
} as const;
export type ReplayEventType = (typeof ReplayEventType)[keyof typeof ReplayEventType];

/** Stream type of `replay-<id>` in the store's `streams` table. */
export const REPLAY_STREAM_TYPE = 'replay';

/** Which of the endpoint's deliveries a replay re-delivers. */
export const REPLAY_STATUS_FILTERS = ['failed', 'succeeded', 'all'] as const;
export type ReplayStatusFilter = (typeof REPLAY_STATUS_FILTERS)[number];

/** Why a replay stopped: every page was sent, nothing matched, or its endpoint was deleted midway. */
export type ReplayCompletion = 'finished' | 'nothing_matched' | 'endpoint_deleted';

/** Who asked goes in the metadata (actor), as for every change a person makes. */
export type ReplayRequestedData = {
  replay_id: string;
  endpoint_id: string;
  tenant_id: string;
  /** ISO-8601: deliveries created in [since, until). An open range was closed at the request's time. */
  since: string;
  until: string;
  status: ReplayStatusFilter;
  /** Deliveries matching when the replay was requested. */
  total: number;
};

/**
 * One page handled: `cursor` is the id of its last delivery (pages continue after it), `handled`
 * counts its deliveries, `sent` those sent again (the rest were already re-sent, before a crash
 * or by someone's retry).
 */
export type ReplayPageDispatchedData = { cursor: string; handled: number; sent: number };
export type ReplayCompletedData = { reason: ReplayCompletion };

/**
 * A replay as its row stood when replays became streams (the upgrade migration appends one per
 * row): before that no event said a replay existed, so no fold could rebuild it. Times are
 * ISO-8601 with the database's microseconds, so the rebuilt row equals the one it came from.
 */
export type ReplayRecordedData = ReplayRequestedData & {
  state: 'running' | 'completed';
  cursor: string | null;
  dispatched: number;
  completion: ReplayCompletion | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
};

export type ReplayRequested = DomainEvent<'ReplayRequested', ReplayRequestedData>;
export type ReplayPageDispatched = DomainEvent<'ReplayPageDispatched', ReplayPageDispatchedData>;
export type ReplayCompleted = DomainEvent<'ReplayCompleted', ReplayCompletedData>;
export type ReplayRecorded = DomainEvent<'ReplayRecorded', ReplayRecordedData>;

export type ReplayEvent = ReplayRequested | ReplayPageDispatched | ReplayCompleted | ReplayRecorded;

export function replayStreamId(replayId: string): string {
  return `replay-${replayId}`;
}

/** The replay a `replay-<id>` stream is about: its later events name it only by their stream. */
export function replayIdOfStream(streamId: string): string {
  return streamId.slice('replay-'.length);
}

export function replayRequested(data: ReplayRequestedData): ReplayRequested {
  return { type: ReplayEventType.ReplayRequested, schema_version: 1, data: { ...data } };
}

export function replayPageDispatched(data: ReplayPageDispatchedData): ReplayPageDispatched {
  return { type: ReplayEventType.ReplayPageDispatched, schema_version: 1, data: { cursor: data.cursor, handled: data.handled, sent: data.sent } };
}

export function replayCompleted(reason: ReplayCompletion): ReplayCompleted {
  return { type: ReplayEventType.ReplayCompleted, schema_version: 1, data: { reason } };
}

export function replayRecorded(data: ReplayRecordedData): ReplayRecorded {
  return { type: ReplayEventType.ReplayRecorded, schema_version: 1, data: { ...data } };
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(ReplayEventType));

/** A stored event as a replay event (every type is at schema_version 1); null for a type this release does not know. */
export function readReplayEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): ReplayEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  return { type: stored.type, schema_version: 1, data: stored.data } as ReplayEvent;
}

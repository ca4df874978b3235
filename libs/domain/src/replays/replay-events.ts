import type { DomainEvent } from '../domain-event';

export const ReplayEventType = {
  ReplayRequested: 'ReplayRequested',
  ReplayPageDispatched: 'ReplayPageDispatched',
  ReplayCompleted: 'ReplayCompleted',
} as const;
export type ReplayEventType = (typeof ReplayEventType)[keyof typeof ReplayEventType];

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

export type ReplayRequested = DomainEvent<'ReplayRequested', ReplayRequestedData>;
export type ReplayPageDispatched = DomainEvent<'ReplayPageDispatched', ReplayPageDispatchedData>;
export type ReplayCompleted = DomainEvent<'ReplayCompleted', ReplayCompletedData>;

export type ReplayEvent = ReplayRequested | ReplayPageDispatched | ReplayCompleted;

export function replayStreamId(replayId: string): string {
  return `replay-${replayId}`;
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

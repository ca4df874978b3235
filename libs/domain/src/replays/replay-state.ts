import type { ReplayCompletion, ReplayEvent, ReplayStatusFilter } from './replay-events';

/** A replay job: what it covers and how far it got. Field names follow the `replays` table. */
export interface ReplayState {
  readonly state: 'absent' | 'running' | 'completed';
  readonly replay_id: string | null;
  readonly endpoint_id: string | null;
  readonly tenant_id: string | null;
  readonly since: string | null;
  readonly until: string | null;
  readonly status: ReplayStatusFilter | null;
  readonly total: number;
  /** Deliveries handled so far (sent again, or found already re-sent). */
  readonly dispatched: number;
  /** The id of the last delivery handled; the next page starts after it. */
  readonly cursor: string | null;
  readonly completion: ReplayCompletion | null;
}

export const initialReplayState: ReplayState = Object.freeze({
  state: 'absent',
  replay_id: null,
  endpoint_id: null,
  tenant_id: null,
  since: null,
  until: null,
  status: null,
  total: 0,
  dispatched: 0,
  cursor: null,
  completion: null,
});

export function evolveReplay(state: ReplayState, event: ReplayEvent): ReplayState {
  switch (event.type) {
    case 'ReplayRequested':
      return { ...initialReplayState, ...event.data, state: 'running' };
    case 'ReplayPageDispatched':
      return { ...state, cursor: event.data.cursor, dispatched: state.dispatched + event.data.handled };
    case 'ReplayCompleted':
      return { ...state, state: 'completed', completion: event.data.reason };
    case 'ReplayRecorded': {
      const { created_by: _by, created_at: _at, updated_at: _updated, completed_at: _completed, ...recorded } = event.data;
      return { ...initialReplayState, ...recorded };
    }
    default: {
      // A type this release does not know (written by a newer one) is skipped, not a crash.
      const _unknown: never = event;
      return state;
    }
  }
}

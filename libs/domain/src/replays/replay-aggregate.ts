import { REPLAY_STREAM_TYPE, readReplayEvent } from './replay-events';
import { replayDecider } from './replay-decider';

/**
 * How the store runs a replay's commands (its stream type, its rules, its reader of stored
 * events). Two apps run them — the API requests replays, the scheduler records their pages — so
 * it lives here once rather than in each app. It is the shape of event-store's `Aggregate`.
 */
export const replayAggregate = {
  streamType: REPLAY_STREAM_TYPE,
  decider: replayDecider,
  read: readReplayEvent,
} as const;

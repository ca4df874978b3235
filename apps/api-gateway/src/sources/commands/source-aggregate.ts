import { readSourceEvent, SOURCE_STREAM_TYPE, SourceCommand, sourceDecider, SourceEvent, SourceState } from '@hookledger/domain';
import type { Aggregate } from '@hookledger/event-store';

/** How the store runs a source's commands: its stream type, its rules, its reader of stored events. */
export const sourceAggregate: Aggregate<SourceCommand, SourceState, SourceEvent> = {
  streamType: SOURCE_STREAM_TYPE,
  decider: sourceDecider,
  read: readSourceEvent,
};

import { EVENT_TYPE_STREAM_TYPE, EventTypeCommand, EventTypeEvent, EventTypeState, eventTypeDecider, readEventTypeEvent } from '@hookledger/domain';
import type { Aggregate } from '@hookledger/event-store';

/** How the store runs the catalog's commands: its stream type, its rules, its reader of stored events. */
export const eventTypeAggregate: Aggregate<EventTypeCommand, EventTypeState, EventTypeEvent> = {
  streamType: EVENT_TYPE_STREAM_TYPE,
  decider: eventTypeDecider,
  read: readEventTypeEvent,
};

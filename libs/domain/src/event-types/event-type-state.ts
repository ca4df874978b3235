import type { EventTypeEvent, EventTypeSchema } from './event-type-events';

/** A catalog entry as its stream tells it: absent until created; archived entries keep their name. */
export type EventTypeState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'archived';
      readonly name: string;
      readonly description: string;
      readonly schema: EventTypeSchema | null;
    };

export const initialEventTypeState: EventTypeState = { status: 'absent' };

export function evolveEventType(state: EventTypeState, event: EventTypeEvent): EventTypeState {
  switch (event.type) {
    case 'EventTypeCreated':
      return { status: 'active', name: event.data.name, description: event.data.description, schema: event.data.schema };
    case 'EventTypeUpdated':
      if (state.status === 'absent') return state;
      return { ...state, ...event.data.changes };
    case 'EventTypeArchived':
      return state.status === 'absent' ? state : { ...state, status: 'archived' };
    case 'EventTypeRestored':
      return state.status === 'absent' ? state : { ...state, status: 'active' };
    default:
      return state;
  }
}

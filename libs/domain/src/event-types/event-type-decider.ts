import { isDeepStrictEqual } from 'node:util';
import { Decider, DomainRuleError } from '../domain-event';
import { validateCustomerEventType } from '../subscriptions/operational-event-types';
import type { ChangeEventType, CreateEventType, EventTypeCommand } from './event-type-commands';
import { EventTypeChanges, EventTypeEvent, eventTypeArchived, eventTypeCreated, eventTypeRestored, eventTypeUpdated } from './event-type-events';
import { EventTypeState, evolveEventType, initialEventTypeState } from './event-type-state';

function create(command: CreateEventType, state: EventTypeState): EventTypeEvent[] {
  const name = validateCustomerEventType(command.name);
  if (!name.valid) throw new DomainRuleError('invalid', name.reason, 'name');
  if (state.status !== 'absent') {
    throw new DomainRuleError(
      'conflict',
      `Event type "${command.name}" already exists (archived types keep their name; restore one with PATCH {"archived": false}).`,
      'name',
    );
  }
  return [eventTypeCreated({ name: command.name, description: command.description, schema: command.schema })];
}

/** A PATCH that changes nothing records nothing; a change and an archive in one PATCH are two events. */
function change(command: ChangeEventType, state: EventTypeState): EventTypeEvent[] {
  if (state.status === 'absent') throw new DomainRuleError('not_found', `Event type "${command.name}" does not exist.`);
  const changes: EventTypeChanges = {};
  if (command.description !== undefined && command.description !== state.description) changes.description = command.description;
  if (command.schema !== undefined && !isDeepStrictEqual(command.schema, state.schema)) changes.schema = command.schema;
  const events: EventTypeEvent[] = Object.keys(changes).length > 0 ? [eventTypeUpdated(command.name, changes)] : [];
  if (command.archived === true && state.status === 'active') events.push(eventTypeArchived(command.name));
  if (command.archived === false && state.status === 'archived') events.push(eventTypeRestored(command.name));
  return events;
}

export const eventTypeDecider: Decider<EventTypeCommand, EventTypeState, EventTypeEvent> = {
  initialState: initialEventTypeState,
  decide(command, state) {
    switch (command.kind) {
      case 'CreateEventType':
        return create(command, state);
      case 'ChangeEventType':
        return change(command, state);
      case 'ArchiveEventType':
        return change({ kind: 'ChangeEventType', name: command.name, archived: true }, state);
    }
  },
  evolve: evolveEventType,
};

import { DomainRuleError, foldEvents } from '../domain-event';
import type { EventTypeCommand } from './event-type-commands';
import { eventTypeDecider } from './event-type-decider';
import {
  EventTypeEvent, eventTypeArchived, eventTypeCreated, eventTypeRestored, eventTypeUpdated, readEventTypeEvent,
} from './event-type-events';

const schema = { type: 'object', required: ['amount'] };
const created = eventTypeCreated({ name: 'invoice.paid', description: 'paid', schema });

/** Given a stream's past events, when a command is decided, then these events follow (or this rule refuses it). */
function given(...history: EventTypeEvent[]) {
  return {
    when: (command: EventTypeCommand) => {
      const decide = () => eventTypeDecider.decide(command, foldEvents(eventTypeDecider, history));
      return {
        then: (expected: readonly EventTypeEvent[]) => expect(decide()).toEqual(expected),
        thenRefuses: (kind: DomainRuleError['kind'], message: RegExp) => {
          expect(decide).toThrow(DomainRuleError);
          expect(decide).toThrow(message);
          try {
            decide();
          } catch (error) {
            expect((error as DomainRuleError).kind).toBe(kind);
          }
        },
      };
    },
  };
}

const change = (fields: Omit<Extract<EventTypeCommand, { kind: 'ChangeEventType' }>, 'kind' | 'name'>): EventTypeCommand =>
  ({ kind: 'ChangeEventType', name: 'invoice.paid', ...fields });

describe('creating a catalog entry', () => {
  it('a new name: the type is created with its description and schema', () => {
    given().when({ kind: 'CreateEventType', name: 'invoice.paid', description: 'paid', schema }).then([created]);
  });

  it('a name already taken, even by an archived type, is a conflict on the name', () => {
    given(created, eventTypeArchived('invoice.paid'))
      .when({ kind: 'CreateEventType', name: 'invoice.paid', description: '', schema: null })
      .thenRefuses('conflict', /already exists/);
  });

  it('a name under the reserved hookledger. prefix is refused: those types are Hookledger\'s operational events', () => {
    given().when({ kind: 'CreateEventType', name: 'hookledger.endpoint.disabled', description: '', schema: null }).thenRefuses('invalid', /reserved/);
  });
});

describe('changing a catalog entry', () => {
  it('records only the fields that changed', () => {
    given(created).when(change({ description: 'paid', schema: { type: 'object' } })).then([eventTypeUpdated('invoice.paid', { schema: { type: 'object' } })]);
  });

  it('a schema of null removes the schema', () => {
    given(created).when(change({ schema: null })).then([eventTypeUpdated('invoice.paid', { schema: null })]);
  });

  it('records nothing when nothing changes (same schema, keys in another order)', () => {
    given(created).when(change({ description: 'paid', schema: { required: ['amount'], type: 'object' } })).then([]);
  });

  it('a change and an archive in one PATCH are two events, the change first', () => {
    given(created)
      .when(change({ description: 'retired', archived: true }))
      .then([eventTypeUpdated('invoice.paid', { description: 'retired' }), eventTypeArchived('invoice.paid')]);
  });

  it('archived: false restores an archived type', () => {
    given(created, eventTypeArchived('invoice.paid')).when(change({ archived: false })).then([eventTypeRestored('invoice.paid')]);
  });

  it('restoring an active type records nothing', () => {
    given(created).when(change({ archived: false })).then([]);
  });

  it('a type that was never created is not found', () => {
    given().when(change({ description: 'x' })).thenRefuses('not_found', /does not exist/);
  });
});

describe('archiving a catalog entry', () => {
  it('archives an active type', () => {
    given(created).when({ kind: 'ArchiveEventType', name: 'invoice.paid' }).then([eventTypeArchived('invoice.paid')]);
  });

  it('is idempotent: archiving an archived type records nothing', () => {
    given(created, eventTypeArchived('invoice.paid')).when({ kind: 'ArchiveEventType', name: 'invoice.paid' }).then([]);
  });

  it('a type that was never created is not found', () => {
    given().when({ kind: 'ArchiveEventType', name: 'invoice.paid' }).thenRefuses('not_found', /does not exist/);
  });
});

describe('evolve', () => {
  it('folds a stream into its current entry', () => {
    const history = [created, eventTypeUpdated('invoice.paid', { description: 'settled', schema: null }), eventTypeArchived('invoice.paid')];
    expect(foldEvents(eventTypeDecider, history)).toEqual({ status: 'archived', name: 'invoice.paid', description: 'settled', schema: null });
    expect(foldEvents(eventTypeDecider, [...history, eventTypeRestored('invoice.paid')])).toMatchObject({ status: 'active' });
  });

  it('reads the events stored today (schema_version 1) and skips types it does not know', () => {
    const stored = { type: 'EventTypeUpdated', schema_version: 1, data: { name: 'invoice.paid', changes: { description: 'x' } } };
    expect(readEventTypeEvent(stored)).toEqual(eventTypeUpdated('invoice.paid', { description: 'x' }));
    expect(readEventTypeEvent({ type: 'EventTypeRenamed', schema_version: 1, data: {} })).toBeNull();
  });
});

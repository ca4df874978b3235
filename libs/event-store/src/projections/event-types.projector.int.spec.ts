import { eventTypeArchived, eventTypeCreated, eventTypeRestored, eventTypeStreamId, eventTypeUpdated } from '@hookledger/domain';
import { eventTypesProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const on = (name: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: eventTypeStreamId(name), event, recordedAt: at(second) });
const schema = { type: 'object', required: ['amount'] };
const spec = () => projectorSpec(eventTypesProjector, database.current);

const row = (fields: Record<string, unknown>) => ({ description: '', schema: null, archived_at: null, ...fields });

describe('the event-types projection', () => {
  it('a created type is a row stamped with the event time and stream version 1', async () => {
    await spec()
      .given(on('invoice.paid', eventTypeCreated({ name: 'invoice.paid', description: 'paid', schema }), 1))
      .then('event_types', [row({ name: 'invoice.paid', description: 'paid', schema, created_at: at(1), updated_at: at(1), version: 1 })]);
  });

  it('an update changes only the fields it names; schema null removes the schema', async () => {
    await spec()
      .given(
        on('invoice.paid', eventTypeCreated({ name: 'invoice.paid', description: 'paid', schema }), 1),
        on('invoice.paid', eventTypeUpdated('invoice.paid', { description: 'settled' }), 2),
        on('invoice.paid', eventTypeUpdated('invoice.paid', { schema: null }), 3),
      )
      .then('event_types', [row({ name: 'invoice.paid', description: 'settled', created_at: at(1), updated_at: at(3), version: 3 })]);
  });

  it('archived sets archived_at; restored clears it; both move updated_at and the version', async () => {
    const created = on('legacy.ping', eventTypeCreated({ name: 'legacy.ping', description: '', schema: null }), 1);
    await spec()
      .given(created, on('legacy.ping', eventTypeArchived('legacy.ping'), 5))
      .then('event_types', [row({ name: 'legacy.ping', archived_at: at(5), created_at: at(1), updated_at: at(5), version: 2 })]);
    await spec()
      .given(created, on('legacy.ping', eventTypeArchived('legacy.ping'), 5), on('legacy.ping', eventTypeRestored('legacy.ping'), 6))
      .then('event_types', [row({ name: 'legacy.ping', created_at: at(1), updated_at: at(6), version: 3 })]);
  });

  it('keeps each stream to its own row and skips event types it does not know', async () => {
    await spec()
      .given(
        on('a.one', eventTypeCreated({ name: 'a.one', description: 'one', schema: null }), 1),
        on('b.two', eventTypeCreated({ name: 'b.two', description: 'two', schema }), 2),
        on('a.one', { type: 'EventTypeRenamed', data: { name: 'a.one', to: 'a.uno' } }, 3),
        on('b.two', eventTypeArchived('b.two'), 4),
      )
      .then('event_types', [
        row({ name: 'a.one', description: 'one', created_at: at(1), updated_at: at(1), version: 1 }),
        row({ name: 'b.two', description: 'two', schema, archived_at: at(4), created_at: at(2), updated_at: at(4), version: 2 }),
      ]);
  });
});

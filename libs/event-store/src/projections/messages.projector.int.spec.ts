import { fannedOutMessageReceived, messagePayloadPreserved, plaintextMessageReceived, messageStreamId } from '@hookledger/domain';
import { messagesProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const spec = () => projectorSpec(messagesProjector, database.current);
const on = (tenant: string, id: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: messageStreamId(tenant, id), event, recordedAt: at(second) });
const TIME = '2024-01-01T00:00:00.000Z';

describe('the messages projection', () => {
  it('a v2 MessageReceived is a row with the exact payload text, seq = its global position, received_at = its record time', async () => {
    const payload = '{"b": 1.0,  "a":[1e2], "b":2}';
    const rows = await spec()
      .given(
        on('acme', 'order-1', plaintextMessageReceived({ id: 'order-1', type: 'order.created', timestamp: TIME, tenant_id: 'acme', payload, channels: ['eu'] }), 1),
        on('beta', 'order-1', plaintextMessageReceived({ id: 'order-1', type: 'order.created', timestamp: TIME, tenant_id: 'beta', payload: '{}' }), 2),
      )
      .query(`SELECT seq, tenant_id, id, type, data::text AS data, channels, timestamp, received_at FROM messages ORDER BY seq`);
    expect(rows).toEqual([
      { seq: '1', tenant_id: 'acme', id: 'order-1', type: 'order.created', data: payload, channels: ['eu'], timestamp: new Date(TIME), received_at: at(1) },
      { seq: '2', tenant_id: 'beta', id: 'order-1', type: 'order.created', data: '{}', channels: null, timestamp: new Date(TIME), received_at: at(2) },
    ]);
  });

  it('a v5 MessageReceived (its fan-out recorded on it, from a source) is the same row as a v3/v4 one: the sealed payload, no plain text', async () => {
    const v5 = fannedOutMessageReceived({
      id: 'order-5', type: 'order.created', timestamp: TIME, tenant_id: 'acme', sealed_payload: 'hlp1.dk_1.aXY.dGFn.Y2lwaGVy', channels: ['eu'],
      source: { id: 'src_1', type: 'stripe', delivery_id: 'evt_1' }, deliveries: [{ delivery_id: 'dlv_1', endpoint_id: 'ep_1' }],
    });
    expect(v5).toMatchObject({ schema_version: 5, data: { source: { id: 'src_1' }, deliveries: [{ delivery_id: 'dlv_1', endpoint_id: 'ep_1' }] } });
    const rows = await spec().given(on('acme', 'order-5', v5, 5))
      .query(`SELECT seq, tenant_id, id, type, data, sealed_data, channels, timestamp, received_at FROM messages`);
    expect(rows).toEqual([{
      seq: '1', tenant_id: 'acme', id: 'order-5', type: 'order.created', data: null, sealed_data: 'hlp1.dk_1.aXY.dGFn.Y2lwaGVy', channels: ['eu'],
      timestamp: new Date(TIME), received_at: at(5),
    }]);
  });

  it('a v1 MessageReceived (jsonb data, no tenant before tenancy) is read as the default tenant with its value re-serialised', async () => {
    const v1 = { type: 'MessageReceived', schema_version: 1, data: { id: 'old-1', type: 'user.created', timestamp: TIME, data: { name: 'Ada' }, tenant_id: null, channels: null } };
    const rows = await spec().given({ streamId: 'message-old-1', event: v1, recordedAt: at(3) })
      .query(`SELECT tenant_id, id, data::text AS data FROM messages`);
    expect(rows).toEqual([{ tenant_id: 'default', id: 'old-1', data: '{"name":"Ada"}' }]);
  });

  it('a MessagePayloadPreserved after a v1 MessageReceived gives its row the exact text and receive time, to the microsecond', async () => {
    const v1 = { type: 'MessageReceived', schema_version: 1, data: { id: 'old-1', type: 'user.created', timestamp: TIME, data: { b: 1, a: 100 }, tenant_id: null, channels: null } };
    const payload = '{"b":1,  "a":1e2}';
    const rows = await spec()
      .given(
        { streamId: 'message-old-1', event: v1, recordedAt: at(3) },
        { streamId: 'message-old-1', event: messagePayloadPreserved({ id: 'old-1', tenant_id: 'default', payload, received_at: '2024-01-01T00:00:03.000123Z' }), recordedAt: at(9) },
      )
      .query(`SELECT seq, tenant_id, id, data::text AS data, received_at = '2024-01-01T00:00:03.000123Z' AS exact_time FROM messages`);
    expect(rows).toEqual([{ seq: '1', tenant_id: 'default', id: 'old-1', data: payload, exact_time: true }]);
  });

  it('applies a batch in store order: a payload preserved between messages received, and one for a message with no row, changes nothing else', async () => {
    const v1 = (id: string) => ({ type: 'MessageReceived', schema_version: 1, data: { id, type: 'user.created', timestamp: TIME, data: { a: 1 }, tenant_id: 'acme', channels: null } });
    const preserved = (id: string, payload: string) => messagePayloadPreserved({ id, tenant_id: 'acme', payload, received_at: '2024-01-01T00:00:00.000001Z' });
    const rows = await spec()
      .given(
        on('acme', 'm-1', v1('m-1'), 1),
        on('acme', 'm-1', preserved('m-1', '{ "a" : 1.0 }'), 2),
        on('acme', 'm-2', v1('m-2'), 3),
        on('acme', 'gone', preserved('gone', '{"a":2}'), 4),
        on('acme', 'm-3', plaintextMessageReceived({ id: 'm-3', type: 'user.created', timestamp: TIME, tenant_id: 'acme', payload: '{"a" :3}' }), 5),
      )
      .query(`SELECT seq, id, data::text AS data FROM messages ORDER BY seq`);
    expect(rows).toEqual([{ seq: '1', id: 'm-1', data: '{ "a" : 1.0 }' }, { seq: '3', id: 'm-2', data: '{"a":1}' }, { seq: '5', id: 'm-3', data: '{"a" :3}' }]);
  });

  it('skips event types it does not know', async () => {
    await spec().given(on('acme', 'x', { type: 'MessageRedacted', data: { id: 'x' } }, 1)).then('messages', []);
  });
});

import { messageReceived, messageStreamId } from '@hookledger/domain';
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
        on('acme', 'order-1', messageReceived({ id: 'order-1', type: 'order.created', timestamp: TIME, tenant_id: 'acme', payload, channels: ['eu'] }), 1),
        on('beta', 'order-1', messageReceived({ id: 'order-1', type: 'order.created', timestamp: TIME, tenant_id: 'beta', payload: '{}' }), 2),
      )
      .query(`SELECT seq, tenant_id, id, type, data::text AS data, channels, timestamp, received_at FROM messages ORDER BY seq`);
    expect(rows).toEqual([
      { seq: '1', tenant_id: 'acme', id: 'order-1', type: 'order.created', data: payload, channels: ['eu'], timestamp: new Date(TIME), received_at: at(1) },
      { seq: '2', tenant_id: 'beta', id: 'order-1', type: 'order.created', data: '{}', channels: null, timestamp: new Date(TIME), received_at: at(2) },
    ]);
  });

  it('a v1 MessageReceived (jsonb data, no tenant before tenancy) is read as the default tenant with its value re-serialised', async () => {
    const v1 = { type: 'MessageReceived', schema_version: 1, data: { id: 'old-1', type: 'user.created', timestamp: TIME, data: { name: 'Ada' }, tenant_id: null, channels: null } };
    const rows = await spec().given({ streamId: 'message-old-1', event: v1, recordedAt: at(3) })
      .query(`SELECT tenant_id, id, data::text AS data FROM messages`);
    expect(rows).toEqual([{ tenant_id: 'default', id: 'old-1', data: '{"name":"Ada"}' }]);
  });

  it('skips event types it does not know', async () => {
    await spec().given(on('acme', 'x', { type: 'MessageRedacted', data: { id: 'x' } }, 1)).then('messages', []);
  });
});

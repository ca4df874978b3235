import { messageReceived } from './message-events';
import { webhookBody } from './webhook-body';

describe('webhookBody', () => {
  it('is the envelope {id, type, timestamp, data}, in that order, whatever order fields were given in', () => {
    const body = webhookBody({ data: { b: 1, a: 'é' }, timestamp: new Date('2024-01-01T00:00:00Z'), type: 'invoice.paid', id: 'msg_1' });
    expect(body).toBe('{"id":"msg_1","type":"invoice.paid","timestamp":"2024-01-01T00:00:00.000Z","data":{"b":1,"a":"é"}}');
  });

  it('keeps a stored timestamp string byte for byte', () => {
    expect(JSON.parse(webhookBody({ id: 'm', type: 't', timestamp: '2024-01-01T00:00:00.123456Z', data: null })).timestamp).toBe('2024-01-01T00:00:00.123456Z');
  });
});

describe('messageReceived', () => {
  it('records the message with absent tenant and channels as null', () => {
    expect(messageReceived({ id: 'msg_1', type: 'invoice.paid', timestamp: new Date(0), data: { a: 1 }, channels: [] })).toEqual({
      type: 'MessageReceived',
      schema_version: 1,
      data: { id: 'msg_1', type: 'invoice.paid', timestamp: '1970-01-01T00:00:00.000Z', data: { a: 1 }, tenant_id: null, channels: null },
    });
  });
});

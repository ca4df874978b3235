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

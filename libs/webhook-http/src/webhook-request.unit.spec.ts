import { Webhook } from 'standardwebhooks';
import { generateSecret } from '@hookledger/domain';
import { webhookRequest, WebhookRequestInput } from './webhook-request';

const secret = generateSecret();
const now = new Date('2024-11-24T10:00:07.500Z');

const input = (overrides: Partial<WebhookRequestInput> = {}): WebhookRequestInput => ({
  messageId: 'msg_1',
  eventType: 'invoice.paid',
  messageTimestamp: new Date('2024-11-24T10:00:00.000Z'),
  data: { z: 1, a: { nested: true } },
  payloadFormat: 'envelope',
  signatureProfile: 'standard',
  headers: {},
  authorization: null,
  secrets: [secret],
  now,
  ...overrides,
});

const verify = (request: { headers: Record<string, string>; body: string }) => new Webhook(secret).verify(request.body, request.headers);

describe('webhookRequest', () => {
  beforeAll(() => jest.useFakeTimers({ now }));
  afterAll(() => jest.useRealTimers());

  it('sends the envelope, signed at the attempt time', () => {
    const request = webhookRequest(input());
    expect(request.body).toBe('{"id":"msg_1","type":"invoice.paid","timestamp":"2024-11-24T10:00:00.000Z","data":{"z":1,"a":{"nested":true}}}');
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': '1732442407' });
    expect(verify(request)).toEqual(JSON.parse(request.body));
  });

  it('sends the data object alone, keys in the published order, when the endpoint asks for data', () => {
    const request = webhookRequest(input({ payloadFormat: 'data' }));
    expect(request.body).toBe('{"z":1,"a":{"nested":true}}');
    expect(verify(request)).toEqual({ z: 1, a: { nested: true } });
  });

  it('adds the custom headers and the authorization from the endpoint auth', () => {
    const request = webhookRequest(input({ headers: { 'X-Tenant': 'acme' }, authorization: 'Bearer tok_123' }));
    expect(request.headers).toMatchObject({ 'X-Tenant': 'acme', authorization: 'Bearer tok_123' });
  });

  it('never lets a custom header override ours, whatever its case', () => {
    const request = webhookRequest(input({
      headers: { 'Webhook-Signature': 'v1,forged', 'CONTENT-TYPE': 'text/plain', 'User-Agent': 'x', Authorization: 'Basic custom', 'x-ok': '1' },
      authorization: 'Bearer tok_123',
    }));
    expect(Object.keys(request.headers).sort()).toEqual(['authorization', 'content-type', 'webhook-id', 'webhook-signature', 'webhook-timestamp', 'x-ok']);
    expect(request.headers.authorization).toBe('Bearer tok_123');
    expect(verify(request)).toBeTruthy();
  });

  it('keeps a custom authorization header when the endpoint has no auth', () => {
    expect(webhookRequest(input({ headers: { Authorization: 'Token abc' } })).headers.Authorization).toBe('Token abc');
  });

  it('signs with every valid secret during a rotation', () => {
    const older = generateSecret();
    const request = webhookRequest(input({ secrets: [secret, older] }));
    expect(request.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(older).verify(request.body, request.headers)).toBeTruthy();
  });
});

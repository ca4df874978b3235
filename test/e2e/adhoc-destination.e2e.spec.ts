import { Webhook } from 'standardwebhooks';
import { ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

describe('publishing to an ad-hoc destination', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  const verify = (secret: string, request: ReceivedWebhook) =>
    new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });

  it('delivers the event to the destination only, signed with the secret the answer gave once', async () => {
    const subscribed = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/subscribed') } });
    expect(subscribed.status).toBe(201);

    const accepted = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: { order: 'o_1' }, destination: { url: receiver.url('/adhoc') } } });

    expect(accepted.status).toBe(202);
    const { id, destination } = accepted.body;
    expect(accepted.body).toEqual({
      id: expect.any(String), type: 'order.shipped', timestamp: expect.any(String), duplicate: false,
      destination: { endpoint_id: expect.stringMatching(/^ep_/), url: receiver.url('/adhoc'), secret: expect.stringMatching(/^whsec_/) },
    });
    await receiver.waitForCount('/adhoc', 1);
    expect(verify(destination.secret, receiver.received('/adhoc')[0])).toMatchObject({ id, type: 'order.shipped', data: { order: 'o_1' } });

    const delivery = await eventually(async () => {
      const found = (await system.request('GET', `/v1/deliveries?event_id=${id}`)).body.data;
      return found.length === 1 && found[0].status === 'succeeded' ? found[0] : undefined;
    }, 'the ad-hoc delivery to succeed');
    expect(delivery).toMatchObject({ endpoint_id: destination.endpoint_id, attempts: 1, status_code: 200 });

    // An ordinary event published after it reaches the subscriber: by then the first had its chance.
    const later = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: { order: 'o_2' } } });
    await receiver.waitFor((requests) => requests.some((r) => r.path === '/subscribed' && r.headers['webhook-id'] === later.body.id));
    expect(receiver.received('/subscribed').map((r) => r.headers['webhook-id'])).toEqual([later.body.id]);
    expect(receiver.received('/adhoc')).toHaveLength(1);
    expect(system.logs()).not.toContain(destination.secret);
  });

  it('leaves ad-hoc endpoints out of GET /v1/endpoints', async () => {
    const accepted = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: {}, destination: { url: receiver.url('/adhoc/listed') } } });
    expect(accepted.status).toBe(202);
    const listed = await system.request('GET', '/v1/endpoints?limit=100');
    expect(listed.body.data.map((endpoint: { id: string }) => endpoint.id)).not.toContain(accepted.body.destination.endpoint_id);
    expect(listed.body.data.every((endpoint: { adhoc: boolean }) => !endpoint.adhoc)).toBe(true);
  });

  it('refuses a destination that is not an http(s) URL with 400 problem+json naming destination.url', async () => {
    for (const url of ['not a url', 'ftp://files.example.com/hooks', 42]) {
      const answer = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: {}, destination: { url } } });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.errors.length).toBeGreaterThan(0);
      expect(answer.body.errors.every((error: { field: string }) => error.field === 'destination.url')).toBe(true);
    }
    const missing = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: {}, destination: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'destination.url', message: 'destination.url is required' })]);
  });

  it('takes destinations on single publishes only', async () => {
    const answer = await system.request('POST', '/v1/events/batch', { body: { events: [{ type: 'order.shipped', data: {}, destination: { url: receiver.url('/adhoc/batch') } }] } });
    expect(answer.status).toBe(400);
  });
});

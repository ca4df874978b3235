import { Webhook } from 'standardwebhooks';
import { TestSystem, WebhookReceiver, ReceivedWebhook } from '@hookledger/testing';
import { eventually } from './eventually';

describe('endpoint options applied to deliveries', () => {
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

  async function createEndpoint(path: string, type: string, extra: Record<string, unknown> = {}) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [type], ...extra } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  }

  async function publish(type: string, data: Record<string, unknown>) {
    const accepted = await system.request('POST', '/v1/events', { body: { type, data } });
    expect(accepted.status).toBe(202);
    return accepted.body as { id: string; timestamp: string };
  }

  async function firstRequest(path: string): Promise<ReceivedWebhook> {
    await receiver.waitForCount(path, 1);
    return receiver.received(path)[0];
  }

  const signatureHeaders = (request: ReceivedWebhook) => ({
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });

  it('routes by channels: an endpoint with channels gets only events published to one of them', async () => {
    await createEndpoint('/channel-eu', 'options.channels', { channels: ['eu', 'global'] });
    await createEndpoint('/channel-any', 'options.channels');
    const send = async (channels: string[] | undefined, n: number) => {
      const accepted = await system.request('POST', '/v1/events', { body: { type: 'options.channels', data: { n }, ...(channels ? { channels } : {}) } });
      expect(accepted.status).toBe(202);
    };
    await send(['us'], 1);
    await send(['eu'], 2);
    await send(undefined, 3);
    await send(['us', 'global'], 4);

    await receiver.waitForCount('/channel-any', 4);
    await receiver.waitForCount('/channel-eu', 2);
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything wrongly routed would have arrived by now
    const numbers = (path: string) => receiver.received(path).map((request) => JSON.parse(request.body).data.n).sort();
    expect(numbers('/channel-eu')).toEqual([2, 4]);
    expect(numbers('/channel-any')).toEqual([1, 2, 3, 4]);
  });

  it('keeps metadata as given, and refuses metadata that is not a small map of strings', async () => {
    const created = await createEndpoint('/metadata', 'options.metadata', { metadata: { customer: 'acme', plan: 'pro' } });
    const shown = await system.request('GET', `/v1/endpoints/${created.id}`);
    expect(shown.body.metadata).toEqual({ customer: 'acme', plan: 'pro' });
    const patched = await system.request('PATCH', `/v1/endpoints/${created.id}`, { body: { metadata: { customer: 'acme', plan: 'enterprise' } } });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata).toEqual({ customer: 'acme', plan: 'enterprise' });

    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    for (const metadata of [{ n: 1 }, { nested: { a: 'b' } }, tooMany, { k: 'x'.repeat(501) }, ['a']]) {
      const answer = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/metadata-bad'), metadata } });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'metadata' })]);
    }
  });

  it('sends the custom headers, and never lets them replace ours', async () => {
    const endpoint = await createEndpoint('/headers', 'options.headers', { headers: { 'X-Tenant': 'acme', 'x-trace': 'abc 123' } });
    await publish('options.headers', { n: 1 });

    const request = await firstRequest('/headers');
    expect(request.headers).toMatchObject({ 'x-tenant': 'acme', 'x-trace': 'abc 123', 'content-type': 'application/json' });
    expect(request.headers['user-agent']).toMatch(/^Hookledger\//);
    expect(new Webhook(endpoint.secret).verify(request.body, signatureHeaders(request))).toBeTruthy();
  });

  it('refuses reserved header names at creation with 400 naming headers', async () => {
    for (const name of ['webhook-signature', 'Webhook-Anything', 'Content-Type', 'user-agent', 'Host']) {
      const answer = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/reserved'), headers: { [name]: 'x' } } });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'headers' })]);
    }
  });

  it('refuses credential headers in headers, on create and on PATCH, with 422 naming the header and pointing to auth', async () => {
    const names = ['Authorization', 'authorization', 'Proxy-Authorization', 'Cookie', 'X-Api-Key', 'x-auth-token', 'X-Client-Secret', 'Api-Key'];
    const expectRefused = (answer: { status: number; headers: Headers; body: any }, name: string) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      expect([name, answer.status]).toEqual([name, 422]);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.detail).toContain(`headers.${name}:`);
      expect(answer.body.detail).toContain('put credentials in auth');
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: `headers.${name}` })]);
    };
    for (const name of names) {
      const headers = { 'X-Tenant': 'acme', [name]: 'Bearer tok_in_a_header' };
      expectRefused(await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/credential-header'), headers } }), name);
    }
    const endpoint = await createEndpoint('/credential-header', 'options.credential-header', { headers: { 'X-Tenant': 'acme' } });
    for (const name of names) {
      expectRefused(await system.request('PATCH', `/v1/endpoints/${endpoint.id}`, { body: { headers: { [name]: 'Bearer tok_in_a_header' } } }), name);
    }
    // Nothing was stored: the endpoint keeps its headers, and no endpoint holds the token.
    expect((await system.request('GET', `/v1/endpoints/${endpoint.id}`)).body.headers).toEqual({ 'X-Tenant': 'acme' });
    expect(JSON.stringify((await system.request('GET', '/v1/endpoints?limit=100')).body)).not.toContain('tok_in_a_header');
  });

  it('presents basic and bearer auth as the authorization header, and never shows the password or token back', async () => {
    const basic = await createEndpoint('/auth/basic', 'options.auth', { auth: { type: 'basic', username: 'hooks', password: 'pa55-w0rd-basic' } });
    const bearer = await createEndpoint('/auth/bearer', 'options.auth', { auth: { type: 'bearer', token: 'tok_very_secret_bearer' } });
    await publish('options.auth', { n: 2 });

    expect((await firstRequest('/auth/basic')).headers.authorization).toBe(`Basic ${Buffer.from('hooks:pa55-w0rd-basic').toString('base64')}`);
    expect((await firstRequest('/auth/bearer')).headers.authorization).toBe('Bearer tok_very_secret_bearer');

    const shownBasic = await system.request('GET', `/v1/endpoints/${basic.id}`);
    const shownBearer = await system.request('GET', `/v1/endpoints/${bearer.id}`);
    expect(shownBasic.body.auth).toEqual({ type: 'basic', username: 'hooks' });
    expect(shownBearer.body.auth).toEqual({ type: 'bearer' });
    const everything = JSON.stringify([basic, bearer, shownBasic.body, shownBearer.body, (await system.request('GET', '/v1/endpoints')).body]);
    expect(everything).not.toContain('pa55-w0rd-basic');
    expect(everything).not.toContain('tok_very_secret_bearer');
    expect(system.logs()).not.toContain('pa55-w0rd-basic');
    expect(system.logs()).not.toContain('tok_very_secret_bearer');
  });

  it('sends the data object alone with payload_format data, as published, signed over the bytes sent', async () => {
    const endpoint = await createEndpoint('/data', 'options.data', { payload_format: 'data' });
    const event = await publish('options.data', { zeta: 1, alpha: { b: 2, a: [3, 'x'] }, mid: null });

    const request = await firstRequest('/data');
    expect(request.body).toBe('{"zeta":1,"alpha":{"b":2,"a":[3,"x"]},"mid":null}');
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(new Webhook(endpoint.secret).verify(request.body, signatureHeaders(request))).toEqual({ zeta: 1, alpha: { b: 2, a: [3, 'x'] }, mid: null });
  });

  it('gives up on a receiver slower than the endpoint timeout_ms and records the attempt as a timeout', async () => {
    receiver.answer('/slow', () => ({ delayMs: 4000 }));
    const endpoint = await createEndpoint('/slow', 'options.timeout', { timeout_ms: 1000, retry_schedule: [600] });
    const event = await publish('options.timeout', { n: 3 });

    const delivery = await eventually(async () => {
      const [found] = (await system.request('GET', `/v1/deliveries?event_id=${event.id}`)).body.data;
      return found?.attempts === 1 ? found : undefined;
    }, 'the first attempt');
    expect(delivery).toMatchObject({ endpoint_id: endpoint.id, status: 'retrying', status_code: null });
    const [attempt] = (await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
    expect(attempt).toMatchObject({ outcome: 'timeout', status_code: null });
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(950);
    expect(attempt.duration_ms).toBeLessThan(3500);
  });

  it('never sends more than rate_limit_per_s requests in any one-second window', async () => {
    await createEndpoint('/limited', 'options.rate', { rate_limit_per_s: 5 });
    const events = Array.from({ length: 25 }, (_, i) => ({ type: 'options.rate', data: { i } }));
    expect((await system.request('POST', '/v1/events/batch', { body: { events } })).status).toBe(202);

    await receiver.waitForCount('/limited', 25, 60_000);
    const times = receiver.received('/limited').map((request) => request.receivedAt).sort((a, b) => a - b);
    const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    const spreadMs = times[times.length - 1] - times[0];
    console.log(`rate limit 5/s: 25 webhooks over ${spreadMs} ms, at most ${busiestSecond} in any one-second window`);
    expect(busiestSecond).toBeLessThanOrEqual(6);
    expect(spreadMs).toBeGreaterThanOrEqual(4000);
  });
});

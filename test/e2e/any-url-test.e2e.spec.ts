import { createPublicKey, verify } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Client } from 'pg';
import { generateSecret } from '@hookledger/domain';
import { freePort, ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const header = (request: ReceivedWebhook, name: string) => String(request.headers[name]);
const standardHeaders = (request: ReceivedWebhook) =>
  ({ 'webhook-id': header(request, 'webhook-id'), 'webhook-timestamp': header(request, 'webhook-timestamp'), 'webhook-signature': header(request, 'webhook-signature') });

describe('POST /v1/webhooks/test: a signed test event to any URL, nothing stored', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: Client;
  const stripe = new Stripe('sk_test_x');
  const test = (body: unknown, key?: string) => system.request('POST', '/v1/webhooks/test', { body, key });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await receiver?.close();
  });

  it('sends one standard-signed request that the standardwebhooks library verifies with the given secret, and answers what came back', async () => {
    receiver.answer('/standard', () => ({ status: 200, body: 'thanks' }));
    const secret = generateSecret();
    const answer = await test({ url: receiver.url('/standard?via=test'), secret });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      success: true, status_code: 200, response_time_ms: expect.any(Number), error: null, outcome: 'http_2xx', response_body: 'thanks',
      webhook_id: expect.stringMatching(/^msg_/),
    });
    const [request] = receiver.received('/standard');
    expect(request).toMatchObject({ method: 'POST', url: '/standard?via=test', headers: { 'content-type': 'application/json', 'user-agent': expect.stringMatching(/^Hookledger\//) } });
    expect(new Webhook(secret).verify(request.body, standardHeaders(request)))
      .toEqual({ id: answer.body.webhook_id, type: 'webhook.test', timestamp: expect.any(String), data: { message: 'This is a test event from Hookledger.' } });
    expect(() => new Webhook(generateSecret()).verify(request.body, standardHeaders(request))).toThrow();
  });

  it('generates a secret when none is given, answers it once, and signs with it; event_type and data are the caller\'s', async () => {
    const answer = await test({ url: receiver.url('/generated'), event_type: 'invoice.paid', data: { amount: 4200 } });
    expect(answer.body).toMatchObject({ success: true, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
    const [request] = receiver.received('/generated');
    expect(new Webhook(answer.body.secret).verify(request.body, standardHeaders(request))).toMatchObject({ type: 'invoice.paid', data: { amount: 4200 } });
    expect((await test({ url: receiver.url('/generated') })).body.secret).not.toBe(answer.body.secret);
  });

  it('signs as the github and stripe profiles do, so their own verifiers accept it; payload_format data sends the data alone', async () => {
    const secret = generateSecret();
    const github = await test({ url: receiver.url('/github'), secret, signature_profile: 'github', event_type: 'push' });
    expect(github.body).toMatchObject({ success: true });
    expect(github.body).not.toHaveProperty('secret');
    const [pushed] = receiver.received('/github');
    expect(await verifyGithub(secret, pushed.body, header(pushed, 'x-hub-signature-256'))).toBe(true);
    expect(pushed.headers).toMatchObject({ 'x-github-event': 'push', 'x-github-delivery': github.body.webhook_id });

    const stripeAnswer = await test({ url: receiver.url('/stripe'), secret, signature_profile: 'stripe', data: { amount: 99 }, payload_format: 'data' });
    expect(stripeAnswer.body).toMatchObject({ success: true });
    const [charged] = receiver.received('/stripe');
    expect(stripe.webhooks.constructEvent(charged.body, header(charged, 'stripe-signature'), secret)).toEqual({ amount: 99 });
    expect(() => stripe.webhooks.constructEvent(charged.body, header(charged, 'stripe-signature'), generateSecret())).toThrow();
  });

  it('signs standard-ed25519 with a one-off key pair and answers its public key (a given secret is refused)', async () => {
    const answer = await test({ url: receiver.url('/ed25519'), signature_profile: 'standard-ed25519' });
    expect(answer.body).toMatchObject({ success: true, public_key: expect.stringMatching(/^whpk_/) });
    expect(answer.body).not.toHaveProperty('secret');
    const [request] = receiver.received('/ed25519');
    const [version, signature] = header(request, 'webhook-signature').split(',');
    expect(version).toBe('v1a');
    const raw = Buffer.from(answer.body.public_key.slice('whpk_'.length), 'base64');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    const signed = `${answer.body.webhook_id}.${header(request, 'webhook-timestamp')}.${request.body}`;
    expect(verify(null, Buffer.from(signed), publicKey, Buffer.from(signature, 'base64'))).toBe(true);

    const withSecret = await test({ url: receiver.url('/ed25519'), signature_profile: 'standard-ed25519', secret: generateSecret() });
    expect(withSecret).toMatchObject({ status: 400, body: { errors: [{ field: 'secret', message: expect.stringContaining('omit secret') }] } });
  });

  it('answers success false with the status and body when the receiver fails, and never follows a redirect', async () => {
    receiver.answer('/failing', () => ({ status: 500, body: 'database is down' }));
    expect((await test({ url: receiver.url('/failing') })).body).toMatchObject({
      success: false, status_code: 500, error: null, outcome: 'http_5xx', response_body: 'database is down',
    });
    receiver.answer('/moved', () => ({ status: 302, headers: { location: receiver.url('/elsewhere') } }));
    expect((await test({ url: receiver.url('/moved') })).body).toMatchObject({ success: false, status_code: 302, outcome: 'redirect_not_followed' });
    expect(receiver.received('/elsewhere')).toEqual([]);
  });

  it('answers a refused connection and a receiver that never answers as results, not API errors', async () => {
    const closed = await freePort();
    expect((await test({ url: `http://127.0.0.1:${closed}/hook` })).body).toEqual({
      success: false, status_code: null, response_time_ms: expect.any(Number), error: expect.stringContaining('ECONNREFUSED'), outcome: 'connection_refused',
      response_body: null, webhook_id: expect.stringMatching(/^msg_/), secret: expect.stringMatching(/^whsec_/),
    });
    receiver.answer('/silent', () => ({ hang: true }));
    expect((await test({ url: receiver.url('/silent'), timeout_ms: 1000 })).body).toMatchObject({
      success: false, status_code: null, error: 'no complete answer within 1000 ms', outcome: 'timeout',
    });
  });

  it('refuses bad input with 400 problem+json naming the field, and sends nothing', async () => {
    const before = receiver.received().length;
    const cases: [unknown, string][] = [
      [{}, 'url'],
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'https://user:pass@example.com/hook' }, 'url'],
      [{ url: receiver.url('/bad'), secret: 'too-short' }, 'secret'],
      [{ url: receiver.url('/bad'), secret: 'whsec_not*base64*at*all!!' }, 'secret'],
      [{ url: receiver.url('/bad'), signature_profile: 'svix-v9' }, 'signature_profile'],
      [{ url: receiver.url('/bad'), event_type: 'no spaces allowed' }, 'event_type'],
      [{ url: receiver.url('/bad'), timeout_ms: 60_000 }, 'timeout_ms'],
      [{ url: receiver.url('/bad'), data: [1, 2] }, 'data'],
      [{ url: receiver.url('/bad'), headers: { 'x-extra': '1' } }, 'headers'],
    ];
    for (const [body, field] of cases) {
      const answer = await test(body);
      expect({ body, status: answer.status, type: answer.headers.get('content-type'), fields: answer.body.errors?.map((error: { field: string }) => error.field) })
        .toEqual({ body, status: 400, type: expect.stringContaining('application/problem+json'), fields: expect.arrayContaining([field]) });
    }
    expect(receiver.received().length).toBe(before);
  });

  it('lets a portal token test a URL, not a reader key', async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'acme', name: 'Acme' } })).status).toBe(201);
    const portal = await system.request('POST', '/v1/tenants/acme/portal-token', { body: {} });
    expect((await test({ url: receiver.url('/portal') }, portal.body.token)).body).toMatchObject({ success: true, status_code: 200 });
    const reader = await system.request('POST', '/v1/api-keys', { body: { role: 'reader', tenant_id: 'acme', name: 'reader' } });
    expect((await test({ url: receiver.url('/portal') }, reader.body.key)).status).toBe(403);
    expect(receiver.received('/portal')).toHaveLength(1);
  });

  it('holds at most 16 tests in flight: one more gets 429 problem+json with Retry-After, and a freed slot is usable again', async () => {
    const stalling = await WebhookReceiver.start();
    stalling.answer('/stall', () => ({ hang: true }));
    const held = Array.from({ length: 16 }, () => test({ url: stalling.url('/stall'), timeout_ms: 30_000 }));
    await stalling.waitForCount('/stall', 16);
    const refused = await test({ url: receiver.url('/over-the-cap') });
    expect({ status: refused.status, type: refused.headers.get('content-type'), retryAfter: refused.headers.get('retry-after') })
      .toEqual({ status: 429, type: expect.stringContaining('application/problem+json'), retryAfter: '1' });
    expect(refused.body.detail).toContain('16 test webhooks are already in flight');
    // Dropping the stalled connections ends the held tests: answers, not errors.
    await stalling.close();
    expect((await Promise.all(held)).map((answer) => [answer.status, answer.body.success])).toEqual(Array(16).fill([200, false]));
    expect((await test({ url: receiver.url('/over-the-cap') })).body).toMatchObject({ success: true });
    expect(receiver.received('/over-the-cap')).toHaveLength(1);
  });

  it('stores nothing and logs no secret: no endpoint, event, delivery or ledger event, as a later real event witnesses', async () => {
    const secret = generateSecret();
    const ledger = async (except = '') => (await db.query('SELECT count(*)::int AS n FROM events WHERE stream_id NOT LIKE $1', [except])).rows[0].n as number;
    const before = await ledger();
    expect((await test({ url: receiver.url('/secret-path-token-123'), secret })).body).toMatchObject({ success: true });
    const endpoints = await system.request('GET', '/v1/endpoints');
    expect(endpoints.body.data).toEqual([]);
    // A real event published after the tests, stored and delivered nowhere: when it is listed, a test published before it would be too.
    const witness = await system.request('POST', '/v1/events', { body: { type: 'witness.published', data: {} } });
    expect(witness.status).toBe(202);
    await eventually(async () => ((await system.request('GET', `/v1/events/${witness.body.id}`)).status === 200 ? true : undefined), 'the witness event to be stored');
    expect((await system.request('GET', '/v1/events')).body.data.map((event: { id: string }) => event.id)).toEqual([witness.body.id]);
    expect((await system.request('GET', '/v1/deliveries')).body.data).toEqual([]);
    // The witness's message stream is the only one appended since.
    expect(await ledger(`message-%/${witness.body.id}`)).toBe(before);
    const logs = system.logs('api-gateway');
    expect(logs).toContain('test webhook sent');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain('secret-path-token-123');
  });
});

/** As deployed: private networks not allowed and https only, so a loopback receiver must never be reached. */
describe('POST /v1/webhooks/test under the SSRF and https rules', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  const test = (body: unknown) => system.request('POST', '/v1/webhooks/test', { body });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({ apps: ['api-gateway'], env: { HOOKS_ALLOW_PRIVATE_NETWORKS: 'false', HOOKS_ALLOW_HTTP: 'false' } });
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('refuses http:// and literal non-public addresses up front, with 422 naming url, as for an endpoint', async () => {
    const cases: [string, string][] = [
      [receiver.url('/plain'), 'url must use https'],
      ['http://hooks.example.com/in', 'url must use https'],
      [`https://127.0.0.1:${receiver.port}/`, 'url is a loopback address (127.0.0.1)'],
      ['https://169.254.169.254/latest/meta-data/', 'url is a link-local address (169.254.169.254)'],
      ['https://10.0.0.1/', 'url is a private address (10.0.0.1)'],
      [`https://localhost:${receiver.port}/`, 'url is a loopback name (localhost)'],
    ];
    for (const [url, message] of cases) {
      const answer = await test({ url });
      expect({ url, status: answer.status, type: answer.headers.get('content-type'), errors: answer.body.errors })
        .toEqual({ url, status: 422, type: expect.stringContaining('application/problem+json'), errors: [{ field: 'url', message: expect.stringContaining(message) }] });
    }
    expect(receiver.connections).toBe(0);
  });

  it('answers a name that resolves to a non-public address as a refused test, naming the host and never the address', async () => {
    // The machine's own name passes the up-front check (a name) and resolves to a non-public address here (see ssrf.e2e.spec.ts).
    const name = hostname();
    const resolved = (await lookup(name, { all: true })).map(({ address }) => address);
    const answer = await test({ url: `https://${name}:${receiver.port}/internal` });
    expect(answer).toMatchObject({
      status: 200,
      body: { success: false, status_code: null, outcome: 'address_blocked', error: `refusing to connect to ${name}: non-public address`, response_body: null },
    });
    for (const address of resolved) expect(JSON.stringify(answer.body)).not.toContain(address);
    expect(receiver.connections).toBe(0);
  });
});

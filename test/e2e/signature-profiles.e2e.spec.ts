import { createHmac, createPublicKey, verify } from 'node:crypto';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';

/** Each profile, delivered for real and checked with the verifier its receivers already run. */
describe('signature profiles, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  const stripe = new Stripe('sk_test_x');

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function createEndpoint(path: string, extra: Record<string, unknown>) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [`profiles${path.replace(/\//g, '.')}`], ...extra } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret?: string; public_key?: string; signature_profile: string };
  }

  /** Publishes an event only the endpoint at `path` subscribes to, and answers the request it receives. */
  async function deliver(path: string, data: Record<string, unknown> = { amount: 4200, note: 'é ✓' }): Promise<{ event: { id: string; type: string }; request: ReceivedWebhook }> {
    const before = receiver.received(path).length;
    const accepted = await system.request('POST', '/v1/events', { body: { type: `profiles${path.replace(/\//g, '.')}`, data } });
    expect(accepted.status).toBe(202);
    await receiver.waitForCount(path, before + 1);
    return { event: accepted.body, request: receiver.received(path)[before] };
  }

  const header = (request: ReceivedWebhook, name: string) => String(request.headers[name]);
  const now = () => Math.floor(Date.now() / 1000);

  it('standard: the standardwebhooks library verifies it with the whsec_ secret', async () => {
    const endpoint = await createEndpoint('/standard', {});
    expect(endpoint).toMatchObject({ signature_profile: 'standard', secret: expect.stringMatching(/^whsec_/) });
    const { event, request } = await deliver('/standard');
    const headers = { 'webhook-id': header(request, 'webhook-id'), 'webhook-timestamp': header(request, 'webhook-timestamp'), 'webhook-signature': header(request, 'webhook-signature') };
    expect(new Webhook(endpoint.secret!).verify(request.body, headers)).toMatchObject({ id: event.id, data: { amount: 4200 } });
  });

  it('standard-ed25519: answers a whpk_ public key, never a secret, and node:crypto verifies the v1a signature with it', async () => {
    const endpoint = await createEndpoint('/ed25519', { signature_profile: 'standard-ed25519' });
    expect(endpoint.public_key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).not.toHaveProperty('secret');
    const { event, request } = await deliver('/ed25519');
    expect(header(request, 'webhook-id')).toBe(event.id);
    const [version, signature] = header(request, 'webhook-signature').split(',');
    expect(version).toBe('v1a');
    const timestamp = Number(header(request, 'webhook-timestamp'));
    expect(Math.abs(timestamp - now())).toBeLessThan(60);

    const raw = Buffer.from(endpoint.public_key!.slice('whpk_'.length), 'base64');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    const signed = Buffer.from(`${event.id}.${timestamp}.${request.body}`);
    expect(verify(null, signed, publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(`${event.id}.${timestamp}.${request.body} `), publicKey, Buffer.from(signature, 'base64'))).toBe(false);
  });

  it('github: @octokit/webhooks-methods verifies X-Hub-Signature-256 with the secret string', async () => {
    const endpoint = await createEndpoint('/github', { signature_profile: 'github' });
    const { event, request } = await deliver('/github');
    expect(await verifyGithub(endpoint.secret!, request.body, header(request, 'x-hub-signature-256'))).toBe(true);
    expect(await verifyGithub(`${endpoint.secret!}x`, request.body, header(request, 'x-hub-signature-256'))).toBe(false);
    expect(request.headers).toMatchObject({ 'x-github-event': 'profiles.github', 'x-github-delivery': event.id, 'webhook-id': event.id });
  });

  it('stripe: stripe.webhooks.constructEvent accepts Stripe-Signature with the secret', async () => {
    const endpoint = await createEndpoint('/stripe', { signature_profile: 'stripe' });
    const { event, request } = await deliver('/stripe');
    expect(header(request, 'stripe-signature')).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(request.body, header(request, 'stripe-signature'), endpoint.secret!)).toMatchObject({ id: event.id, data: { amount: 4200 } });
    expect(() => stripe.webhooks.constructEvent(request.body, header(request, 'stripe-signature'), 'whsec_someone_else')).toThrow();
    expect(header(request, 'webhook-id')).toBe(event.id);
  });

  it('hmac-hex: X-Webhook-Signature is the hex HMAC-SHA256 of the body keyed with the secret', async () => {
    const endpoint = await createEndpoint('/hmac-hex', { signature_profile: 'hmac-hex' });
    const { event, request } = await deliver('/hmac-hex');
    expect(header(request, 'x-webhook-signature')).toBe(createHmac('sha256', endpoint.secret!).update(request.body).digest('hex'));
    expect(request.headers).toMatchObject({ 'x-webhook-event': 'profiles.hmac-hex', 'webhook-id': event.id });
    expect(Math.abs(Number(header(request, 'x-webhook-timestamp')) - now())).toBeLessThan(60);
  });

  it('keeps the secret when PATCH moves between HMAC profiles', async () => {
    const endpoint = await createEndpoint('/switch', { signature_profile: 'github' });
    const patched = await system.request('PATCH', `/v1/endpoints/${endpoint.id}`, { body: { signature_profile: 'stripe' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ signature_profile: 'stripe' });
    expect(patched.body).not.toHaveProperty('secret');
    const { request } = await deliver('/switch');
    expect(stripe.webhooks.constructEvent(request.body, header(request, 'stripe-signature'), endpoint.secret!)).toBeTruthy();
  });

  it('refuses a PATCH between an HMAC profile and standard-ed25519 with 409, pointing to rotation', async () => {
    const hmac = await createEndpoint('/refused-hmac', { signature_profile: 'hmac-hex' });
    const toEd25519 = await system.request('PATCH', `/v1/endpoints/${hmac.id}`, { body: { signature_profile: 'standard-ed25519' } });
    expectProblem(toEd25519, 409, 'signature_profile');
    expect(toEd25519.body.detail).toMatch(/rotate/);

    const ed25519 = await createEndpoint('/refused-ed25519', { signature_profile: 'standard-ed25519' });
    expectProblem(await system.request('PATCH', `/v1/endpoints/${ed25519.id}`, { body: { signature_profile: 'standard' } }), 409, 'signature_profile');
    expect((await system.request('GET', `/v1/endpoints/${ed25519.id}`)).body.signature_profile).toBe('standard-ed25519');
  });

  it('refuses a secret given for standard-ed25519 and an unknown profile with 400 naming the field', async () => {
    const url = receiver.url('/never');
    expectProblem(await system.request('POST', '/v1/endpoints', { body: { url, signature_profile: 'standard-ed25519', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }), 400, 'secret');
    expectProblem(await system.request('POST', '/v1/endpoints', { body: { url, signature_profile: 'shopify' } }), 400, 'signature_profile');
    expectProblem(await system.request('POST', '/v1/endpoints', { body: { url, signature_profile: 'github', secret: 'whsec_not*base64!!' } }), 400, 'secret');
  });

  function expectProblem(answer: { status: number; headers: Headers; body: { errors?: { field: string }[] } }, status: number, field: string) {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.errors?.map((error) => error.field)).toContain(field);
  }
});

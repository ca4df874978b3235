import { createHmac } from 'node:crypto';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const PUBLIC_URL = 'https://hooks.example.test/base';
const stripe = new Stripe('sk_test_x');
const nowS = () => Math.floor(Date.now() / 1000);

type Signed = { headers: Record<string, string>; body: string };
type Source = { id: string; secret: string; ingest_url: string; tenant_id: string };

/** A provider's request, signed the way the provider signs it (its own library where it has one). */
const providers = {
  github: async (secret: string, delivery: string, payload = { ref: 'refs/heads/main', n: delivery }): Promise<Signed> => {
    const body = JSON.stringify(payload);
    return { body, headers: { 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': await signGithub(secret, body) } };
  },
  stripe: (secret: string, id: string, ageS = 0): Signed => {
    const body = JSON.stringify({ id, object: 'event', type: 'invoice.paid', data: { object: { amount_paid: 1200 } } });
    return { body, headers: { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: nowS() - ageS }) } };
  },
  standard: (secret: string, id: string, ageS = 0): Signed => {
    const body = JSON.stringify({ type: 'order.shipped', data: { order: id } });
    const at = new Date((nowS() - ageS) * 1000);
    return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(nowS() - ageS), 'webhook-signature': new StandardWebhook(secret).sign(id, at, body) } };
  },
  /** HubSpot v3 by hand (developers.hubspot.com): base64 HMAC-SHA256 of method + URI + body + timestamp in ms. */
  hubspot: (secret: string, uri: string, eventIds: number[], ageMs = 0): Signed => {
    const body = JSON.stringify(eventIds.map((eventId) => ({ eventId, subscriptionType: 'contact.creation', objectId: 1000 + eventId, portalId: 42 })));
    const timestamp = String(Date.now() - ageMs);
    return { body, headers: { 'x-hubspot-signature-v3': createHmac('sha256', secret).update(`POST${uri}${body}${timestamp}`).digest('base64'), 'x-hubspot-request-timestamp': timestamp } };
  },
  hmacHex: (secret: string, payload: Record<string, unknown>): Signed => {
    const body = JSON.stringify(payload);
    return { body, headers: { 'x-webhook-event': 'build.finished', 'x-webhook-signature': createHmac('sha256', secret).update(body).digest('hex') } };
  },
};

describe('incoming webhooks (sources)', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // The ingest URL is what a proxy in front publishes; HubSpot's signature covers it, not 127.0.0.1.
    system = await TestSystem.start({ env: { HOOKS_PUBLIC_URL: PUBLIC_URL } });
    expect((await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/all') } })).status).toBe(201);
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function createSource(body: Record<string, unknown>, key?: string): Promise<Source> {
    const answer = await system.request('POST', '/v1/sources', { body, key });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  const post = (source: { id: string }, signed: Signed, query = '') =>
    system.request('POST', `/in/${source.id}${query}`, { key: null, rawBody: signed.body, headers: { 'content-type': 'application/json', ...signed.headers } });

  const deliveredIds = (path = '/all') => receiver.received(path).map((request: ReceivedWebhook) => String(request.headers['webhook-id']));

  /** A default-tenant event published now and delivered: whatever was accepted before it had its chance. */
  async function witness(): Promise<void> {
    const published = await system.request('POST', '/v1/events', { body: { type: 'witness.sent', data: {} } });
    await receiver.waitFor((requests) => requests.some((request) => request.headers['webhook-id'] === published.body.id));
  }

  /** Proves a duplicate was not delivered again: a later event reached the receiver, and the first still arrived once. */
  async function expectDeliveredOnce(id: string): Promise<void> {
    await witness();
    expect(deliveredIds().filter((delivered) => delivered === id)).toHaveLength(1);
  }

  async function expectRefused(answer: { status: number; headers: Headers; body: { detail: string } }, detail: RegExp): Promise<void> {
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.detail).toMatch(detail);
  }

  it('creates a source with its ingest URL behind HOOKS_PUBLIC_URL and shows the secret only once', async () => {
    const source = await createSource({ type: 'github', name: 'shop pushes' });
    expect(source).toMatchObject({ id: expect.stringMatching(/^src_/), type: 'github', name: 'shop pushes', tenant_id: 'default', secret: expect.stringMatching(/^whsec_/) });
    expect(source.ingest_url).toBe(`${PUBLIC_URL}/in/${source.id}`);
    const read = await system.request('GET', `/v1/sources/${source.id}`);
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(JSON.stringify((await system.request('GET', '/v1/sources?limit=250')).body)).not.toContain(source.secret);
    expect((await system.request('PATCH', `/v1/sources/${source.id}`, { body: { name: 'org pushes' } })).body.name).toBe('org pushes');
    const audit = await system.request('GET', `/v1/audit/events?stream_id=${encodeURIComponent(`source-${source.id}`)}`);
    expect(audit.body.data.map((event: { type: string; metadata: { actor: string } }) => [event.type, event.metadata.actor])).toEqual([
      ['SourceUpdated', 'api-key:admin'], ['SourceCreated', 'api-key:admin'],
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(source.secret);
    expect(system.logs()).not.toContain(source.secret);
  });

  it('refuses a source without the secret a provider issues itself, and an unknown type, naming the field', async () => {
    for (const type of ['hubspot', 'stripe']) {
      const answer = await system.request('POST', '/v1/sources', { body: { type, name: 'x' } });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'secret' })]);
    }
    const unknown = await system.request('POST', '/v1/sources', { body: { type: 'gitlab', name: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'type' })]);
  });

  it('GitHub: delivers a verified push as github.push, refuses a bad signature, and takes a redelivery once', async () => {
    const source = await createSource({ type: 'github', name: 'pushes', secret: 'gh-secret-123' });
    const delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const signed = await providers.github('gh-secret-123', delivery);

    const accepted = await post(source, signed);
    expect(accepted.status).toBe(202);
    const id = `${source.id}:${delivery}`;
    expect(accepted.body).toEqual({ source_id: source.id, events: [{ id, type: 'github.push', duplicate: false }] });
    await receiver.waitFor((requests) => requests.some((request) => request.headers['webhook-id'] === id));
    const sent = receiver.received('/all').find((request) => request.headers['webhook-id'] === id)!;
    expect(JSON.parse(sent.body)).toMatchObject({ type: 'github.push', data: { ref: 'refs/heads/main' } });

    await expectRefused(await post(source, { ...signed, headers: { ...signed.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }), /does not match/);
    await expectRefused(await post(source, { ...signed, body: signed.body.replace('main', 'evil') }), /does not match/);
    await expectRefused(await post(source, { ...signed, headers: { 'x-github-event': 'push', 'x-github-delivery': delivery } }), /X-Hub-Signature-256/);

    const again = await post(source, signed);
    expect(again.status).toBe(202);
    expect(again.body.events).toEqual([{ id, type: 'github.push', duplicate: true }]);
    await expectDeliveredOnce(id);

    // The ledger records where the message came from.
    const ledger = await system.request('GET', `/v1/audit/events?stream_id=${encodeURIComponent(`message-default/${id}`)}`);
    expect(ledger.body.data).toEqual([expect.objectContaining({ type: 'MessageReceived', data: expect.objectContaining({ source: { id: source.id, type: 'github', delivery_id: delivery } }) })]);
    const event = await system.request('GET', `/v1/events/${encodeURIComponent(id)}`);
    expect(event.body).toMatchObject({ id, type: 'github.push', source_id: source.id, data: { ref: 'refs/heads/main' } });
    const plain = (await system.request('POST', '/v1/events', { body: { type: 'witness.sent', data: {} } })).body.id;
    const published = await eventually(async () => {
      const read = await system.request('GET', `/v1/events/${plain}`);
      return read.status === 200 ? read.body : undefined;
    }, 'the API-published event to be stored');
    expect(published).not.toHaveProperty('source_id');
  });

  it('HubSpot v3: verifies over HOOKS_PUBLIC_URL + path + query, publishes each element, refuses stale or re-addressed requests', async () => {
    const source = await createSource({ type: 'hubspot', name: 'crm', secret: 'hubspot-client-secret' });
    const query = '?portal=42';
    const signed = providers.hubspot(source.secret, `${source.ingest_url}${query}`, [101, 102]);

    const accepted = await post(source, signed, query);
    expect(accepted.status).toBe(202);
    const ids = [`${source.id}:101`, `${source.id}:102`];
    expect(accepted.body.events).toEqual(ids.map((id) => ({ id, type: 'hubspot.contact.creation', duplicate: false })));
    await receiver.waitFor((requests) => ids.every((id) => requests.some((request) => request.headers['webhook-id'] === id)));

    // Signed over the address the request reached instead of the public one: not what HubSpot signs.
    await expectRefused(await post(source, providers.hubspot(source.secret, `${system.apiUrl}/in/${source.id}${query}`, [103]), query), /does not match/);
    await expectRefused(await post(source, providers.hubspot(source.secret, `${source.ingest_url}${query}`, [104], 5 * 60_000 + 1000), query), /5-minute window/);
    await expectRefused(await post(source, providers.hubspot('another-secret', `${source.ingest_url}${query}`, [105]), query), /does not match/);

    // HubSpot retries the batch; an element already accepted is not delivered again.
    const retried = await post(source, providers.hubspot(source.secret, `${source.ingest_url}${query}`, [102, 106]), query);
    expect(retried.body.events.map((event: { duplicate: boolean }) => event.duplicate)).toEqual([true, false]);
    await expectDeliveredOnce(ids[1]);
  });

  it('Stripe: delivers stripe.<type>, refuses a stale or forged signature, dedups on the event id', async () => {
    const secret = 'whsec_stripe_endpoint_secret';
    const source = await createSource({ type: 'stripe', name: 'billing', secret });
    const signed = providers.stripe(secret, 'evt_1NG8Du2eZvKYlo2CUI79vXWy');
    const accepted = await post(source, signed);
    expect(accepted.status).toBe(202);
    const id = `${source.id}:evt_1NG8Du2eZvKYlo2CUI79vXWy`;
    expect(accepted.body.events).toEqual([{ id, type: 'stripe.invoice.paid', duplicate: false }]);
    await receiver.waitFor((requests) => requests.some((request) => request.headers['webhook-id'] === id));

    await expectRefused(await post(source, providers.stripe(secret, 'evt_stale', 301)), /5-minute window/);
    await expectRefused(await post(source, providers.stripe('whsec_other', 'evt_forged')), /does not match/);
    expect((await post(source, providers.stripe(secret, 'evt_1NG8Du2eZvKYlo2CUI79vXWy'))).body.events[0].duplicate).toBe(true);
    await expectDeliveredOnce(id);
  });

  it('Standard Webhooks: delivers the payload type, refuses stale and forged requests, dedups on webhook-id', async () => {
    const source = await createSource({ type: 'standard', name: 'partner' });
    const accepted = await post(source, providers.standard(source.secret, 'msg_partner_1'));
    expect(accepted.status).toBe(202);
    const id = `${source.id}:msg_partner_1`;
    expect(accepted.body.events).toEqual([{ id, type: 'order.shipped', duplicate: false }]);
    await receiver.waitFor((requests) => requests.some((request) => request.headers['webhook-id'] === id));

    await expectRefused(await post(source, providers.standard(source.secret, 'msg_partner_2', 301)), /5-minute window/);
    const forged = providers.standard(source.secret, 'msg_partner_3');
    await expectRefused(await post(source, { ...forged, body: forged.body.replace('order.shipped', 'order.refunded') }), /does not match/);
    expect((await post(source, providers.standard(source.secret, 'msg_partner_1'))).body.events[0].duplicate).toBe(true);
    await expectDeliveredOnce(id);
  });

  it('hmac-hex: delivers X-Webhook-Event, refuses a bad signature, dedups an identical body', async () => {
    const source = await createSource({ type: 'hmac-hex', name: 'ci' });
    const signed = providers.hmacHex(source.secret, { build: 77, status: 'green' });
    const accepted = await post(source, signed);
    expect(accepted.status).toBe(202);
    const [{ id }] = accepted.body.events;
    expect(accepted.body.events).toEqual([{ id: expect.stringMatching(new RegExp(`^${source.id}:sha256-[0-9a-f]{64}$`)), type: 'build.finished', duplicate: false }]);
    await receiver.waitFor((requests) => requests.some((request) => request.headers['webhook-id'] === id));
    await expectRefused(await post(source, providers.hmacHex('wrong-secret', { build: 78 })), /does not match/);
    expect((await post(source, signed)).body.events[0].duplicate).toBe(true);
    await expectDeliveredOnce(id);
  });

  it('answers bad input with 4xx problem+json, never 5xx', async () => {
    const source = await createSource({ type: 'hmac-hex', name: 'garbage' });
    const sign = (body: string) => ({ body, headers: { 'x-webhook-event': 'x.y', 'x-webhook-signature': createHmac('sha256', source.secret).update(body).digest('hex') } });
    expect((await post(source, sign('{not json'))).status).toBe(400);
    expect((await post(source, sign('[1,2]'))).status).toBe(422);
    expect((await post(source, sign(`{"__proto__":{"x":1}}`))).status).toBe(400);
    const badType = await post(source, { ...sign('{}'), headers: { ...sign('{}').headers, 'x-webhook-event': 'no spaces allowed' } });
    expect(badType.status).toBe(422);
    expect(badType.body.errors).toEqual([expect.objectContaining({ field: 'X-Webhook-Event' })]);
    // A sender names its own types, but may not pose as Hookledger's operational events.
    const posing = await post(source, { ...sign('{}'), headers: { ...sign('{}').headers, 'x-webhook-event': 'hookledger.endpoint.disabled' } });
    expect(posing.status).toBe(422);
    expect(posing.body.detail).toMatch(/reserved/);
    const form = await system.request('POST', `/in/${source.id}`, { key: null, rawBody: 'payload=%7B%7D', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign('payload=%7B%7D').headers } });
    expect(form.status).toBe(400);
    for (const id of ['src_01JD0000000000000000000000', 'not-an-id', '%00']) {
      const unknown = await system.request('POST', `/in/${id}`, { key: null, rawBody: '{}' });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('rotation: the old secret verifies during the grace period and not after a rotation without one', async () => {
    const source = await createSource({ type: 'github', name: 'rotating' });
    const rotated = await system.request('POST', `/v1/sources/${source.id}/secret/rotate`, { body: { grace_period_s: 3600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(source.secret);
    expect(rotated.body.previous_secrets).toEqual([{ expires_at: expect.any(String) }]);
    expect((await post(source, await providers.github(source.secret, 'rot-old'))).status).toBe(202);
    expect((await post(source, await providers.github(rotated.body.secret, 'rot-new'))).status).toBe(202);

    const cut = await system.request('POST', `/v1/sources/${source.id}/secret/rotate`, { body: { grace_period_s: 0, secret: 'a-secret-of-my-own' } });
    expect(cut.body).toMatchObject({ secret: 'a-secret-of-my-own', previous_secrets: [] });
    await expectRefused(await post(source, await providers.github(rotated.body.secret, 'rot-cut')), /does not match/);
    expect((await post(source, await providers.github('a-secret-of-my-own', 'rot-own'))).status).toBe(202);
    const audit = await system.request('GET', `/v1/audit/events?stream_id=${encodeURIComponent(`source-${source.id}`)}&type=SourceSecretRotated`);
    expect(audit.body.data).toHaveLength(2);
    expect(JSON.stringify(audit.body)).not.toContain('a-secret-of-my-own');
  });

  it('a deleted source\'s URL answers 404', async () => {
    const source = await createSource({ type: 'github', name: 'leaving' });
    expect((await system.request('DELETE', `/v1/sources/${source.id}`)).status).toBe(204);
    expect((await system.request('GET', `/v1/sources/${source.id}`)).status).toBe(404);
    expect((await post(source, await providers.github(source.secret, 'after-delete'))).status).toBe(404);
  });

  it('keeps a tenant\'s sources and their events inside the tenant', async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'acme', name: 'Acme' } })).status).toBe(201);
    const acmeKey = (await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: 'acme' } })).body.key as string;
    expect((await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/acme') }, key: acmeKey })).status).toBe(201);
    const own = await createSource({ type: 'standard', name: 'acme partner' }, acmeKey);
    expect(own.tenant_id).toBe('acme');
    const others = await createSource({ type: 'standard', name: 'default partner' });

    expect((await system.request('GET', `/v1/sources/${others.id}`, { key: acmeKey })).status).toBe(404);
    expect((await system.request('PATCH', `/v1/sources/${others.id}`, { key: acmeKey, body: { name: 'mine' } })).status).toBe(404);
    expect((await system.request('POST', `/v1/sources/${others.id}/secret/rotate`, { key: acmeKey, body: {} })).status).toBe(404);
    expect((await system.request('POST', '/v1/sources', { key: acmeKey, body: { type: 'github', name: 'x', tenant_id: 'default' } })).status).toBe(403);
    const listed = await system.request('GET', '/v1/sources?limit=250', { key: acmeKey });
    expect(listed.body.data.map((source: { id: string }) => source.id)).toEqual([own.id]);

    const accepted = await post(own, providers.standard(own.secret, 'msg_acme_1'));
    const id = accepted.body.events[0].id;
    await receiver.waitFor((requests) => requests.some((request) => request.path === '/acme' && request.headers['webhook-id'] === id));
    await witness();
    expect(deliveredIds('/all')).not.toContain(id);
  });

  it('refuses a source for a tenant that does not exist, and stops a deleted tenant\'s sources', async () => {
    const unknown = await system.request('POST', '/v1/sources', { body: { type: 'github', name: 'x', tenant_id: 'nobody' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'tenant_id' })]);

    expect((await system.request('POST', '/v1/tenants', { body: { id: 'leaving', name: 'Leaving' } })).status).toBe(201);
    const source = await createSource({ type: 'github', name: 'leaving', tenant_id: 'leaving' });
    expect((await system.request('DELETE', '/v1/tenants/leaving')).status).toBe(204);
    expect((await system.request('GET', `/v1/sources/${source.id}`)).status).toBe(404);
    expect((await post(source, await providers.github(source.secret, 'after-tenant'))).status).toBe(404);
    const audit = await system.request('GET', `/v1/audit/events?stream_id=${encodeURIComponent(`source-${source.id}`)}`);
    expect(audit.body.data[0]).toMatchObject({ type: 'SourceDeleted', metadata: { actor: 'api-key:admin', tenant_id: 'leaving' } });
  });
});

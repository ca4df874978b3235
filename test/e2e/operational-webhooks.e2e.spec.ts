import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Webhook } from 'standardwebhooks';
import { natsUrl, OperationalEventListener, ReceivedWebhook, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * Operational webhooks: a tenant's endpoint that subscribes to `hookledger.*` types receives
 * Hookledger's own operational events about that tenant, signed and recorded like any webhook;
 * other tenants, and endpoints subscribed to "all events", do not; nobody may publish them.
 */
describe('operational webhooks, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let events: OperationalEventListener;
  const endpoints: Record<string, { id: string; secret: string }> = {};

  async function endpoint(name: string, tenantId: string, eventTypes: string[] | undefined, options: Record<string, unknown> = {}) {
    const created = await system.request('POST', '/v1/endpoints', {
      body: { url: receiver.url(`/${name}`), tenant_id: tenantId, ...(eventTypes && { event_types: eventTypes }), ...options },
    });
    expect(created.status).toBe(201);
    endpoints[name] = created.body as { id: string; secret: string };
  }

  /** The operational webhooks `name` received, each checked against its endpoint's signing secret. */
  function operational(name: string, type?: string): { id: string; type: string; timestamp: string; data: Record<string, unknown> }[] {
    return receiver.received(`/${name}`).map((request) => verified(name, request)).filter((body) => body.type.startsWith('hookledger.') && (!type || body.type === type));
  }

  function verified(name: string, request: ReceivedWebhook) {
    const headers = { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) };
    return new Webhook(endpoints[name].secret).verify(request.body, headers) as { id: string; type: string; timestamp: string; data: Record<string, unknown> };
  }

  async function deliveredTo(tenantId: string, eventId: string): Promise<string[]> {
    const { body } = await system.request('GET', `/v1/deliveries?tenant_id=${tenantId}&event_id=${eventId}`);
    return (body.data as { endpoint_id: string }[]).map((delivery) => delivery.endpoint_id).sort();
  }

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
    events = await OperationalEventListener.start(natsUrl(), system.namespace);
    for (const id of ['acme', 'globex']) expect((await system.request('POST', '/v1/tenants', { body: { id, name: id } })).status).toBe(201);
    await endpoint('acme-ops', 'acme', ['hookledger.endpoint.disabled', 'hookledger.delivery.exhausted']);
    await endpoint('acme-ops-wildcard', 'acme', ['hookledger.*']);
    await endpoint('acme-all', 'acme', undefined);
    await endpoint('acme-star', 'acme', ['*']);
    await endpoint('globex-ops', 'globex', ['hookledger.*']);
    await endpoint('acme-target', 'acme', ['target.test']);
    // Fails every operational webhook it gets, at once: its failures must not come back as webhooks.
    receiver.answer('/acme-ops-broken', () => ({ status: 500 }));
    await endpoint('acme-ops-broken', 'acme', ['hookledger.endpoint.disabled'], { retry_schedule: [] });
    receiver.answer('/acme-doomed', () => ({ status: 500 }));
    await endpoint('acme-doomed', 'acme', ['doomed.test'], { retry_schedule: [] });
  });

  afterAll(async () => {
    await events?.stop();
    await system?.stop();
    await receiver?.close();
  });

  it('sends hookledger.endpoint.disabled, signed, to the tenant endpoints that subscribe to it when another of its endpoints is disabled', async () => {
    const target = endpoints['acme-target'].id;
    expect((await system.request('POST', `/v1/endpoints/${target}/disable`, { body: { reason: 'customer is moving' } })).status).toBe(200);

    await receiver.waitFor(() => operational('acme-ops', 'hookledger.endpoint.disabled').length === 1, 20_000, 'the operational webhook');
    const [webhook] = operational('acme-ops', 'hookledger.endpoint.disabled');
    // The NATS event carries the tenant too, and the webhook is that event: same id, same data, plus when it happened.
    const announced = await eventually(async () => events.of('endpoint.disabled').find((event) => event.data.endpoint_id === target), 'endpoint.disabled on NATS');
    expect(announced.data).toEqual({ tenant_id: 'acme', endpoint_id: target, reason: 'customer is moving', by: 'operator' });
    expect(webhook).toEqual({ id: announced.id, type: 'hookledger.endpoint.disabled', timestamp: announced.occurred_at, data: { ...announced.data, occurred_at: announced.occurred_at } });

    // Routed at ingest, in one transaction: the subscribers, and no endpoint of "all events", "*" or another tenant.
    expect(await deliveredTo('acme', announced.id)).toEqual([endpoints['acme-ops'].id, endpoints['acme-ops-broken'].id, endpoints['acme-ops-wildcard'].id].sort());
    await receiver.waitFor(() => operational('acme-ops-wildcard').length === 1, 20_000, 'the webhook at hookledger.*');
    expect(await deliveredTo('globex', announced.id)).toEqual([]);
  });

  it('sends hookledger.delivery.exhausted when a delivery to a failing endpoint ends failed, and nothing about the failing operational webhooks', async () => {
    // The broken subscriber's operational webhook has ended failed by now (its own delivery.exhausted is on NATS).
    const loop = await eventually(async () => events.of('delivery.exhausted').find((event) => event.data.endpoint_id === endpoints['acme-ops-broken'].id), 'the broken subscriber exhausted');
    expect(loop.data).toMatchObject({ tenant_id: 'acme', event_type: 'hookledger.endpoint.disabled' });

    const published = await system.request('POST', '/v1/events', { body: { type: 'doomed.test', data: { order: 7 }, tenant_id: 'acme' } });
    expect(published.status).toBe(202);
    await receiver.waitFor(() => operational('acme-ops', 'hookledger.delivery.exhausted').length >= 1, 30_000, 'hookledger.delivery.exhausted');

    // Forwarded in the stream's order: the exhausted operational webhook came before, and went nowhere.
    const exhausted = operational('acme-ops', 'hookledger.delivery.exhausted');
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0].data).toMatchObject({
      tenant_id: 'acme', event_id: published.body.id, event_type: 'doomed.test', endpoint_id: endpoints['acme-doomed'].id,
      attempts: 1, status_code: 500, reason: 'exhausted', occurred_at: exhausted[0].timestamp,
    });
    expect(await deliveredTo('acme', loop.id)).toEqual([]);
    const failed = await eventually(async () => operational('acme-ops-wildcard', 'hookledger.delivery.failed').find((webhook) => webhook.data.event_id === published.body.id), 'hookledger.delivery.failed at hookledger.*');
    expect(failed.data).toMatchObject({ tenant_id: 'acme', outcome: expect.any(String), next_attempt_at: null });
    expect(operational('acme-ops-wildcard').filter((webhook) => String(webhook.data.event_type).startsWith('hookledger.'))).toEqual([]);
  });

  it('keeps other tenants and "all events" endpoints out of it', async () => {
    // globex's own operational events reach globex's subscriber: the witness that the forwarder is past acme's.
    await endpoint('globex-target', 'globex', ['target.test']);
    const target = endpoints['globex-target'].id;
    expect((await system.request('POST', `/v1/endpoints/${target}/disable`, {})).status).toBe(200);
    await receiver.waitFor(() => operational('globex-ops').some((webhook) => webhook.data.endpoint_id === target), 20_000, 'globex\'s own webhook');

    expect(operational('globex-ops').every((webhook) => webhook.data.tenant_id === 'globex')).toBe(true);
    expect(operational('acme-all')).toEqual([]);
    expect(operational('acme-star')).toEqual([]);

    // The endpoint list, asked which endpoints receive a type, answers by the same rule.
    const listed = await system.request('GET', '/v1/endpoints?tenant_id=acme&event_type=hookledger.endpoint.disabled&limit=100');
    expect((listed.body.data as { id: string }[]).map((e) => e.id).sort()).toEqual([endpoints['acme-ops'].id, endpoints['acme-ops-broken'].id, endpoints['acme-ops-wildcard'].id].sort());
  });

  it('refuses the reserved prefix to publishers and to the catalog, and subscriptions to operational types that do not exist', async () => {
    const one = await system.request('POST', '/v1/events', { body: { type: 'hookledger.endpoint.disabled', data: {} } });
    expect(one.status).toBe(422);
    expect(one.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(one.body.errors.map((e: { field: string }) => e.field)).toEqual(['type']);

    const batch = await system.request('POST', '/v1/events/batch', { body: { events: [{ type: 'invoice.paid', data: {} }, { type: 'HookLedger.x', data: {} }] } });
    expect(batch.status).toBe(422);
    expect(batch.body.errors.map((e: { field: string }) => e.field)).toEqual(['events.1.type']);

    const catalog = await system.request('POST', '/v1/event-types', { body: { name: 'hookledger.custom' } });
    expect(catalog.status).toBe(422);
    expect(catalog.body.errors.map((e: { field: string }) => e.field)).toEqual(['name']);

    const typo = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/typo'), event_types: ['invoice.paid', 'hookledger.endpoint.disable'] } });
    expect(typo.status).toBe(422);
    expect(typo.body.errors.map((e: { field: string }) => e.field)).toEqual(['event_types.1']);
    const patch = await system.request('PATCH', `/v1/endpoints/${endpoints['acme-all'].id}`, { body: { event_types: ['hookledger.ledger.*'] } });
    expect(patch.status).toBe(422);
  });

  it('refuses them on the inbound bus too: an internal service cannot pass one off as Hookledger\'s', async () => {
    await endpoint('acme-inbound', 'acme', ['inbound.test']);
    const nc = await connect({ servers: natsUrl() });
    try {
      const js = jetstream(nc);
      const forged = { id: 'forged-1', tenant_id: 'acme', data: { endpoint_id: 'ep_x' } };
      await js.publish(`${system.namespace}.in.hookledger.endpoint.disabled`, JSON.stringify(forged), { msgID: 'acme/forged-1' });
      // The witness, behind it on the same work queue.
      await js.publish(`${system.namespace}.in.inbound.test`, JSON.stringify({ id: 'after-forged', tenant_id: 'acme', data: {} }), { msgID: 'acme/after-forged' });
    } finally {
      await nc.close();
    }
    await receiver.waitForCount('/acme-inbound', 1);
    expect((await system.request('GET', '/v1/events/forged-1?tenant_id=acme')).status).toBe(404);
    expect(operational('acme-ops').filter((webhook) => webhook.id === 'forged-1')).toEqual([]);
  });
});

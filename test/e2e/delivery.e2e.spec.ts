import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { natsUrl, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

describe('delivery pipeline, end to end', () => {
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

  async function createEndpoint(path: string, extra: Record<string, unknown> = {}) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), ...extra } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  }

  async function publish(event: Record<string, unknown>) {
    const accepted = await system.request('POST', '/v1/events', { body: event });
    expect(accepted.status).toBe(202);
    return accepted.body as { id: string; type: string; timestamp: string };
  }

  const deliveriesOf = (eventId: string) =>
    system.request('GET', `/v1/deliveries?event_id=${encodeURIComponent(eventId)}`).then((answer) => answer.body.data as { id: string; endpoint_id: string; status: string }[]);

  it('delivers a signed webhook that standardwebhooks and svix verify, and records it in /v1/deliveries', async () => {
    const endpoint = await createEndpoint('/signed', { event_types: ['invoice.paid'] });
    const event = await publish({ type: 'invoice.paid', data: { invoice: 'in_1', amount: 4200 } });

    await receiver.waitForCount('/signed', 1);
    const [request] = receiver.received('/signed');
    const headers = { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) };
    expect(new Webhook(endpoint.secret).verify(request.body, headers)).toEqual({ id: event.id, type: 'invoice.paid', timestamp: event.timestamp, data: { invoice: 'in_1', amount: 4200 } });
    expect(new SvixWebhook(endpoint.secret).verify(request.body, { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': headers['webhook-signature'] })).toBeTruthy();
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^Hookledger\//);
    expect(() => new Webhook('whsec_' + Buffer.from('another secret entirely!').toString('base64')).verify(request.body, headers)).toThrow();

    const [delivery] = await eventually(async () => {
      const found = await deliveriesOf(event.id);
      return found.length === 1 && found[0].status === 'succeeded' ? found : undefined;
    }, 'the delivery to succeed');
    expect(delivery).toMatchObject({ endpoint_id: endpoint.id, event_type: 'invoice.paid', attempts: 1, status_code: 200, error: null });

    const attempts = await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`);
    expect(attempts.body.data).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 200, outcome: 'http_2xx', error: null, response_body: 'ok', duration_ms: expect.any(Number) }),
    ]);
    const stored = await system.request('GET', `/v1/events/${event.id}`);
    expect(stored.body).toMatchObject({ id: event.id, type: 'invoice.paid', data: { invoice: 'in_1', amount: 4200 }, deliveries: [{ id: delivery.id, status: 'succeeded' }] });
  });

  it('fans one event out to every subscribed endpoint and honours wildcard filters', async () => {
    const invoices = await createEndpoint('/fan/invoices', { event_types: ['billing.invoice.*'] });
    const paidOnly = await createEndpoint('/fan/paid', { event_types: ['billing.invoice.paid'] });
    const customers = await createEndpoint('/fan/customers', { event_types: ['billing.customer.*'] });
    const everything = await createEndpoint('/fan/all', { event_types: ['*'] });

    const paid = await publish({ type: 'billing.invoice.paid', data: { n: 1 } });
    const created = await publish({ type: 'billing.customer.created', data: { n: 2 } });
    const nested = await publish({ type: 'billing.invoice.line.added', data: { n: 3 } });

    const expected: Record<string, string[]> = {
      [paid.id]: [invoices.id, paidOnly.id, everything.id],
      [created.id]: [customers.id, everything.id],
      [nested.id]: [invoices.id, everything.id],
    };
    for (const [eventId, endpointIds] of Object.entries(expected)) {
      const deliveries = await eventually(async () => {
        const found = await deliveriesOf(eventId);
        return found.length >= endpointIds.length && found.every((d) => d.status === 'succeeded') ? found : undefined;
      }, `deliveries of ${eventId}`);
      expect(deliveries.map((d) => d.endpoint_id).sort()).toEqual([...endpointIds].sort());
    }
    const bodiesAt = (path: string) => receiver.received(path).map((r) => JSON.parse(r.body).type).sort();
    expect(bodiesAt('/fan/invoices')).toEqual(['billing.invoice.line.added', 'billing.invoice.paid']);
    expect(bodiesAt('/fan/paid')).toEqual(['billing.invoice.paid']);
    expect(bodiesAt('/fan/customers')).toEqual(['billing.customer.created']);
    expect(bodiesAt('/fan/all')).toEqual(['billing.customer.created', 'billing.invoice.line.added', 'billing.invoice.paid']);
  });

  it('deduplicates an event published again with the same id, singly or in a batch', async () => {
    const endpoint = await createEndpoint('/dedup', { event_types: ['order.placed'] });
    const first = await publish({ id: 'order-2024-0001', type: 'order.placed', data: { total: 1 } });
    const again = await publish({ id: 'order-2024-0001', type: 'order.placed', data: { total: 1 } });
    const batch = await system.request('POST', '/v1/events/batch', {
      body: { events: [{ id: 'order-2024-0001', type: 'order.placed', data: { total: 1 } }, { id: 'order-2024-0002', type: 'order.placed', data: { total: 2 } }] },
    });
    expect(batch.status).toBe(202);
    expect(first.id).toBe('order-2024-0001');
    expect(again.id).toBe('order-2024-0001');

    // The second, distinct event is ingested after the duplicates; once it arrived, they had their chance.
    await receiver.waitFor((requests) => requests.some((r) => r.path === '/dedup' && r.headers['webhook-id'] === 'order-2024-0002'));
    await eventually(async () => ((await deliveriesOf('order-2024-0002'))[0]?.status === 'succeeded' ? true : undefined), 'the second order');
    expect(receiver.received('/dedup').filter((r) => r.headers['webhook-id'] === 'order-2024-0001')).toHaveLength(1);
    expect((await deliveriesOf('order-2024-0001')).filter((d) => d.endpoint_id === endpoint.id)).toHaveLength(1);
  });

  it('accepts a batch of 500 events and delivers every one', async () => {
    await createEndpoint('/batch', { event_types: ['metric.recorded'] });
    const events = Array.from({ length: 500 }, (_, i) => ({ type: 'metric.recorded', data: { i } }));
    const accepted = await system.request('POST', '/v1/events/batch', { body: { events } });
    expect(accepted.status).toBe(202);
    expect(accepted.body.data).toHaveLength(500);
    await receiver.waitForCount('/batch', 500, 60_000);
    const seen = new Set(receiver.received('/batch').map((r) => JSON.parse(r.body).data.i));
    expect(seen.size).toBe(500);

    const tooMany = await system.request('POST', '/v1/events/batch', { body: { events: [...events, events[0]] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'events' })]);
  });

  it('delivers events published by internal services straight onto the inbound bus', async () => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream } = await import('@nats-io/jetstream');
    await createEndpoint('/inbound', { event_types: ['shipment.*'] });
    const nc = await connect({ servers: natsUrl() });
    try {
      await jetstream(nc).publish(`${system.namespace}.in.shipment.sent`, JSON.stringify({ id: 'ship-1', data: { carrier: 'dhl' } }), { msgID: 'ship-1' });
    } finally {
      await nc.close();
    }
    await receiver.waitForCount('/inbound', 1);
    expect(JSON.parse(receiver.received('/inbound')[0].body)).toMatchObject({ id: 'ship-1', type: 'shipment.sent', data: { carrier: 'dhl' } });
  });
});

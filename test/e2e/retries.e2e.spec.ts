import { Webhook } from 'standardwebhooks';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

describe('retries, exhaustion and timeouts, end to end', () => {
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

  async function deliveryFor(eventId: string, until: (status: string) => boolean) {
    return eventually(async () => {
      const { body } = await system.request('GET', `/v1/deliveries?event_id=${eventId}`);
      const [delivery] = body.data;
      return delivery && until(delivery.status) ? delivery : undefined;
    }, `delivery of ${eventId}`, 30_000);
  }

  async function setUp(path: string, options: Record<string, unknown>, type: string) {
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [type], ...options } });
    expect(endpoint.status).toBe(201);
    const event = await system.request('POST', '/v1/events', { body: { type, data: { path } } });
    expect(event.status).toBe(202);
    return { endpoint: endpoint.body, event: event.body };
  }

  it('retries after 500s on the endpoint schedule until the receiver succeeds, with the same webhook-id', async () => {
    receiver.answer('/flaky', (_request, count) => (count <= 2 ? { status: 500, body: 'boom' } : { status: 200, body: 'finally' }));
    const { endpoint, event } = await setUp('/flaky', { retry_schedule: [1, 1, 1] }, 'flaky.thing');

    const delivery = await deliveryFor(event.id, (status) => status === 'succeeded');
    expect(delivery).toMatchObject({ attempts: 3, status_code: 200 });
    const requests = receiver.received('/flaky');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    // Every attempt is signed afresh and verifies.
    for (const request of requests) {
      expect(() => new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    }
    // The schedule is honoured: about a second (±20 %) between attempts, never immediately.
    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(700);
    expect(requests[2].receivedAt - requests[1].receivedAt).toBeGreaterThanOrEqual(700);

    const attempts = await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`);
    expect(attempts.body.data.map((a: { status_code: number; outcome: string; response_body: string }) => [a.status_code, a.outcome, a.response_body])).toEqual([
      [500, 'http_5xx', 'boom'],
      [500, 'http_5xx', 'boom'],
      [200, 'http_2xx', 'finally'],
    ]);
  });

  it('ends the delivery as failed when the retry schedule is spent, and sends nothing more', async () => {
    receiver.answer('/dead', () => ({ status: 503, body: 'down for good' }));
    const { event } = await setUp('/dead', { retry_schedule: [1, 1] }, 'dead.thing');

    const delivery = await deliveryFor(event.id, (status) => status === 'failed');
    expect(delivery).toMatchObject({ attempts: 3, status_code: 503, next_attempt_at: null });
    const failed = await system.request('GET', `/v1/deliveries?status=failed&event_id=${event.id}`);
    expect(failed.body.data).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(receiver.received('/dead')).toHaveLength(3);
  });

  it('times out a receiver that never answers, records the timeout, and retries', async () => {
    receiver.answer('/hang', () => ({ hang: true }));
    const { event } = await setUp('/hang', { retry_schedule: [1], timeout_ms: 1000 }, 'hang.thing');

    const delivery = await deliveryFor(event.id, (status) => status === 'failed');
    expect(delivery).toMatchObject({ attempts: 2, status_code: null });
    expect(delivery.error).toMatch(/within 1000 ms/);
    const attempts = await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`);
    for (const attempt of attempts.body.data) {
      expect(attempt).toMatchObject({ outcome: 'timeout', status_code: null });
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(900);
      expect(attempt.duration_ms).toBeLessThan(5000);
    }
  });

  it('lists retrying deliveries with their next attempt time while they wait', async () => {
    receiver.answer('/later', (_request, count) => (count === 1 ? { status: 500 } : { status: 200 }));
    const { event } = await setUp('/later', { retry_schedule: [3] }, 'later.thing');
    const retrying = await deliveryFor(event.id, (status) => status === 'retrying');
    expect(Date.parse(retrying.next_attempt_at)).toBeGreaterThan(Date.now());
    const listed = await system.request('GET', `/v1/deliveries?status=retrying&event_type=later.thing`);
    expect(listed.body.data.map((d: { id: string }) => d.id)).toEqual([retrying.id]);
    await deliveryFor(event.id, (status) => status === 'succeeded');
  });
});

import { natsUrl, OperationalEventListener, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * How Hookledger treats receivers that fail: each kind of answer classified and recorded, the
 * circuit breaker holding deliveries without spending attempts, a dead endpoint never slowing a
 * healthy one, auto-disable, and the operational events internal consumers see.
 */
describe('failure handling, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let events: OperationalEventListener;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({
      env: {
        HOOKS_CIRCUIT_CONSECUTIVE_FAILURES: '3',
        HOOKS_CIRCUIT_MIN_REQUESTS: '1000',
        HOOKS_CIRCUIT_COOLDOWN_S: '2',
        HOOKS_ENDPOINT_DISABLE_AFTER: '4s',
      },
    });
    events = await OperationalEventListener.start(natsUrl(), system.namespace);
  });

  afterAll(async () => {
    await events?.stop();
    await system?.stop();
    await receiver?.close();
  });

  async function endpoint(path: string, type: string, options: Record<string, unknown> = {}) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [type], ...options } });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  }

  async function publish(type: string, data: Record<string, unknown> = {}) {
    const accepted = await system.request('POST', '/v1/events', { body: { type, data } });
    expect(accepted.status).toBe(202);
    return accepted.body as { id: string };
  }

  async function delivery(eventId: string, until: (d: { status: string; attempts: number }) => boolean, timeoutMs = 30_000) {
    return eventually(async () => {
      const { body } = await system.request('GET', `/v1/deliveries?event_id=${eventId}`);
      return body.data[0] && until(body.data[0]) ? body.data[0] : undefined;
    }, `delivery of ${eventId}`, timeoutMs);
  }

  const attemptsOf = async (deliveryId: string) => (await system.request('GET', `/v1/deliveries/${deliveryId}/attempts`)).body.data;

  it('never follows a redirect: a 3xx is a recorded failure and the target receives nothing', async () => {
    receiver.answer('/moved', () => ({ status: 302, headers: { location: receiver.url('/target') } }));
    await endpoint('/moved', 'redirect.test', { retry_schedule: [] });
    const event = await publish('redirect.test');
    const failed = await delivery(event.id, (d) => d.status === 'failed');
    expect((await attemptsOf(failed.id))[0]).toMatchObject({ status_code: 302, outcome: 'redirect_not_followed' });
    expect(receiver.received('/target')).toHaveLength(0);
  });

  it('honours Retry-After on 429 instead of the endpoint schedule', async () => {
    receiver.answer('/slow-down', (_r, count) => (count === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    await endpoint('/slow-down', 'throttle.test', { retry_schedule: [3600] });
    const event = await publish('throttle.test');
    const done = await delivery(event.id, (d) => d.status === 'succeeded', 20_000);
    const [first, second] = await attemptsOf(done.id);
    expect(first).toMatchObject({ status_code: 429, outcome: 'rate_limited' });
    const gap = Date.parse(second.started_at) - Date.parse(first.started_at);
    expect(gap).toBeGreaterThanOrEqual(1500);
    expect(gap).toBeLessThan(10_000);
  });

  it('keeps only the first 4 KiB of a large answer and records connection errors with their reason', async () => {
    receiver.answer('/chatty', () => ({ status: 200, body: 'x'.repeat(1_000_000) }));
    await endpoint('/chatty', 'chatty.test');
    const chatty = await delivery((await publish('chatty.test')).id, (d) => d.status === 'succeeded');
    expect((await attemptsOf(chatty.id))[0].response_body).toHaveLength(4096);

    const refused = await system.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:1/refused', event_types: ['refused.test'], retry_schedule: [] } });
    expect(refused.status).toBe(201);
    const failed = await delivery((await publish('refused.test')).id, (d) => d.status === 'failed');
    expect((await attemptsOf(failed.id))[0]).toMatchObject({ status_code: null, outcome: 'connection_refused', error: expect.any(String) });
  });

  it('disables an endpoint that answers 410 Gone, with a reason, and delivers nothing more to it', async () => {
    receiver.answer('/gone', () => ({ status: 410 }));
    const gone = await endpoint('/gone', 'gone.test', { retry_schedule: [1, 1] });
    const first = await publish('gone.test');
    const failed = await delivery(first.id, (d) => d.status === 'failed');
    expect(failed.attempts).toBe(1);
    const disabled = await eventually(async () => {
      const { body } = await system.request('GET', `/v1/endpoints/${gone.id}`);
      return body.active === false ? body : undefined;
    }, 'the endpoint to be disabled');
    expect(disabled.disabled_reason).toMatch(/410/);
    await eventually(async () => (events.of('endpoint.disabled').some((e) => e.data.endpoint_id === gone.id) ? true : undefined), 'endpoint.disabled');

    const later = await publish('gone.test');
    const marker = await publish('redirect.test'); // ingested after `later`
    await eventually(async () => ((await system.request('GET', `/v1/events/${marker.id}`)).status === 200 ? true : undefined), 'the marker event');
    expect((await system.request('GET', `/v1/events/${later.id}`)).body.deliveries).toEqual([]);
    expect(receiver.received('/gone')).toHaveLength(1);
  });

  it('disables an endpoint that keeps failing for HOOKS_ENDPOINT_DISABLE_AFTER', async () => {
    receiver.answer('/broken', () => ({ status: 500 }));
    const broken = await endpoint('/broken', 'broken.test', { retry_schedule: [1, 1, 1, 1, 1, 1, 1, 1] });
    await publish('broken.test');
    const disabled = await eventually(async () => {
      const { body } = await system.request('GET', `/v1/endpoints/${broken.id}`);
      return body.active === false ? body : undefined;
    }, 'the failing endpoint to be disabled', 30_000);
    expect(disabled.disabled_reason).toMatch(/failed without a success since/);
  });

  it('opens the circuit on sustained failure, holds deliveries without spending attempts, probes, and drains after recovery', async () => {
    let healthy = false;
    receiver.answer('/flapping', () => (healthy ? { status: 200 } : { status: 503 }));
    const flapping = await endpoint('/flapping', 'flapping.test', { retry_schedule: [2, 2, 2] });
    const before = [];
    for (let i = 0; i < 4; i++) before.push(await publish('flapping.test', { i }));

    await eventually(async () => {
      const { body } = await system.request('GET', `/v1/endpoints/${flapping.id}/health`);
      return body.circuit?.state === 'open' ? body : undefined;
    }, 'the circuit to open');
    // The streak is the endpoint-health projection's, caught up by the scheduler a moment after the attempts.
    await eventually(async () => {
      const { body } = await system.request('GET', `/v1/endpoints/${flapping.id}/health`);
      return body.consecutive_failures >= 3 ? body : undefined;
    }, 'the failure streak to show');
    await eventually(async () => (events.of('endpoint.circuit_opened').some((e) => e.data.endpoint_id === flapping.id) ? true : undefined), 'circuit_opened');

    // Published while the circuit is open: stored and held, no attempt spent, nothing sent.
    const during = [];
    for (let i = 4; i < 8; i++) during.push(await publish('flapping.test', { i }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const event of during) {
      const [held] = (await system.request('GET', `/v1/deliveries?event_id=${event.id}`)).body.data;
      expect(held).toMatchObject({ status: 'pending', attempts: 0 });
    }
    expect(receiver.received('/flapping').filter((r) => JSON.parse(r.body).data.i >= 4)).toHaveLength(0);

    healthy = true;
    for (const event of [...before, ...during]) await delivery(event.id, (d) => d.status === 'succeeded', 30_000);
    const closed = await system.request('GET', `/v1/endpoints/${flapping.id}/health`);
    expect(closed.body.circuit.state).toBe('closed');
    await eventually(async () => (events.of('endpoint.circuit_closed').some((e) => e.data.endpoint_id === flapping.id) ? true : undefined), 'circuit_closed');
    // The held ones were attempted exactly once, after recovery.
    for (const event of during) expect((await system.request('GET', `/v1/deliveries?event_id=${event.id}`)).body.data[0].attempts).toBe(1);
  });

  it('publishes delivery.succeeded, delivery.failed and delivery.exhausted with unique ids', async () => {
    receiver.answer('/ops', (_r, count) => (count === 1 ? { status: 500 } : { status: 200 }));
    await endpoint('/ops', 'ops.ok', { retry_schedule: [1] });
    receiver.answer('/ops-dead', () => ({ status: 500 }));
    await endpoint('/ops-dead', 'ops.dead', { retry_schedule: [] });
    const ok = await publish('ops.ok');
    const dead = await publish('ops.dead');
    await eventually(async () => {
      const mine = (type: string, id: string) => events.of(type).filter((e) => e.data.event_id === id);
      return mine('delivery.failed', ok.id).length === 1 && mine('delivery.succeeded', ok.id).length === 1 &&
        mine('delivery.failed', dead.id).length === 1 && mine('delivery.exhausted', dead.id).length === 1 ? true : undefined;
    }, 'the delivery events');
    const [exhausted] = events.of('delivery.exhausted').filter((e) => e.data.event_id === dead.id);
    expect(exhausted.data).toMatchObject({ tenant_id: 'default', event_type: 'ops.dead', attempts: 1, reason: 'exhausted', status_code: 500 });
    expect(new Set(events.events.map((e) => e.id)).size).toBe(events.events.length);
  });
});

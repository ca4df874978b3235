import { connect } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { natsUrl, openDataSource, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/** The part of a core NATS connection this spec uses. */
interface Observer {
  subscribe(subject: string, options: { callback(error: Error | null, msg: { subject: string; json(): unknown }): void }): unknown;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Delivery {
  id: string;
  event_id: string;
  status: string;
  attempts: number;
}

const WINDOW_S = 120;

describe('operators controlling endpoints: disable, enable, retry, replay, health', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: DataSource;
  let nc: Observer;
  const operational: { subject: string; event: { type: string; data: Record<string, unknown> } }[] = [];

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({
      env: {
        HOOKS_CIRCUIT_WINDOW_S: String(WINDOW_S),
        // Hundreds of deliberate failures below must not open the circuit: that is another spec's subject.
        HOOKS_CIRCUIT_MIN_REQUESTS: '100000',
        HOOKS_CIRCUIT_CONSECUTIVE_FAILURES: '100000',
      },
    });
    db = await openDataSource(system.database, 1);
    nc = await connect({ servers: natsUrl() });
    nc.subscribe(`${system.namespace}.evt.endpoint.>`, {
      callback: (error, msg) => {
        if (!error) operational.push({ subject: msg.subject, event: msg.json() as (typeof operational)[number]['event'] });
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    await nc?.close();
    await db?.destroy();
    await system?.stop();
    await receiver?.close();
  });

  async function createEndpoint(path: string, type: string, options: Record<string, unknown> = {}) {
    const answer = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: [type], ...options } });
    expect(answer.status).toBe(201);
    return answer.body as { id: string; secret: string };
  }

  async function publish(type: string, data: Record<string, unknown>): Promise<string> {
    const answer = await system.request('POST', '/v1/events', { body: { type, data } });
    expect(answer.status).toBe(202);
    return answer.body.id;
  }

  async function publishMany(type: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let from = 0; from < count; from += 500) {
      const events = Array.from({ length: Math.min(500, count - from) }, (_, i) => ({ type, data: { n: from + i + 1 } }));
      const answer = await system.request('POST', '/v1/events/batch', { body: { events } });
      expect(answer.status).toBe(202);
      ids.push(...answer.body.data.map((event: { id: string }) => event.id));
    }
    return ids;
  }

  async function deliveriesOf(endpointId: string, status?: string): Promise<Delivery[]> {
    const all: Delivery[] = [];
    let cursor: string | null = null;
    do {
      const query: URLSearchParams = new URLSearchParams({ endpoint_id: endpointId, limit: '250', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
      const { body }: { body: { data: Delivery[]; next_cursor: string | null } } = await system.request('GET', `/v1/deliveries?${query}`);
      all.push(...body.data);
      cursor = body.next_cursor;
    } while (cursor);
    return all;
  }

  async function deliveryOf(eventId: string, until: (status: string) => boolean): Promise<Delivery> {
    return eventually(async () => {
      const { body } = await system.request('GET', `/v1/deliveries?event_id=${eventId}`);
      const [delivery] = body.data;
      return delivery && until(delivery.status) ? delivery : undefined;
    }, `delivery of ${eventId}`, 30_000);
  }

  async function ledgerOf(endpointId: string): Promise<{ type: string; data: Record<string, unknown>; actor: string }[]> {
    return db.query(`SELECT type, data, metadata->>'actor' AS actor FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`endpoint-${endpointId}`]);
  }

  /** `count` deliveries to the endpoint, all failed after one attempt (the receiver answers 500, no retries). */
  async function failedDeliveries(endpointId: string, type: string, count: number): Promise<string[]> {
    const ids = await publishMany(type, count);
    await eventually(async () => ((await deliveriesOf(endpointId, 'failed')).length === count ? true : undefined), `${count} failed deliveries`, 60_000);
    return ids;
  }

  async function replayUntilCompleted(replayId: string) {
    return eventually(async () => {
      const { status, body } = await system.request('GET', `/v1/replays/${replayId}`);
      expect(status).toBe(200);
      return body.state === 'completed' ? body : undefined;
    }, `replay ${replayId} to complete`, 60_000);
  }

  describe('disable and enable', () => {
    it('delivers nothing to a disabled endpoint, shows why, and delivers again once enabled', async () => {
      const endpoint = await createEndpoint('/toggle', 'toggle.thing');
      // Subscribed to the same type and never disabled: once it has an event, ingest has routed it.
      const witness = await createEndpoint('/toggle-witness', 'toggle.thing');
      await publish('toggle.thing', { n: 1 });
      await receiver.waitForCount('/toggle', 1);

      const disabled = await system.request('POST', `/v1/endpoints/${endpoint.id}/disable`, { body: { reason: 'customer is moving their receiver' } });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: endpoint.id, active: false, disabled_reason: 'customer is moving their receiver', paused: false });
      expect(disabled.body).not.toHaveProperty('secret');
      // Idempotent: asked again (even with another reason) it answers the endpoint as it is.
      const again = await system.request('POST', `/v1/endpoints/${endpoint.id}/disable`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ active: false, disabled_reason: 'customer is moving their receiver' });

      const whileDisabled = await publish('toggle.thing', { n: 2 });
      await eventually(async () => ((await deliveriesOf(witness.id)).some((d) => d.event_id === whileDisabled) ? true : undefined), 'the witness delivery');
      const { body: routed } = await system.request('GET', `/v1/deliveries?event_id=${whileDisabled}`);
      expect(routed.data.map((d: Delivery & { endpoint_id: string }) => d.endpoint_id)).toEqual([witness.id]);
      expect(receiver.received('/toggle')).toHaveLength(1);

      const shown = await system.request('GET', `/v1/endpoints/${endpoint.id}`);
      expect(shown.body).toMatchObject({ active: false, disabled_reason: 'customer is moving their receiver' });
      const health = await system.request('GET', `/v1/endpoints/${endpoint.id}/health`);
      expect(health.body).toMatchObject({ endpoint_id: endpoint.id, active: false, disabled_reason: 'customer is moving their receiver' });

      const enabled = await system.request('POST', `/v1/endpoints/${endpoint.id}/enable`);
      expect(enabled.status).toBe(200);
      expect(enabled.body).toMatchObject({ active: true, disabled_reason: null });
      expect((await system.request('POST', `/v1/endpoints/${endpoint.id}/enable`)).status).toBe(200);

      const afterEnable = await publish('toggle.thing', { n: 3 });
      await receiver.waitForCount('/toggle', 2);
      expect(receiver.received('/toggle')[1].headers['webhook-id']).toBe(afterEnable);

      // The ledger holds one event per change, with who made it; the repeated requests added none.
      const ledger = await ledgerOf(endpoint.id);
      expect(ledger.map((e) => e.type)).toEqual(['EndpointCreated', 'EndpointDisabled', 'EndpointEnabled']);
      expect(ledger[1].data).toMatchObject({ reason: 'customer is moving their receiver', by: 'operator' });
      expect(ledger[1].actor).toMatch(/^api-key:/);

      // Internal consumers hear about both, through the outbox.
      await eventually(async () => (operational.filter((o) => o.event.data.endpoint_id === endpoint.id).length >= 2 ? true : undefined), 'endpoint.disabled and endpoint.enabled on NATS');
      const published = operational.filter((o) => o.event.data.endpoint_id === endpoint.id);
      expect(published.map((o) => [o.subject, o.event.type])).toEqual([
        [`${system.namespace}.evt.endpoint.disabled`, 'endpoint.disabled'],
        [`${system.namespace}.evt.endpoint.enabled`, 'endpoint.enabled'],
      ]);
      expect(published[0].event.data).toEqual({ tenant_id: 'default', endpoint_id: endpoint.id, reason: 'customer is moving their receiver', by: 'operator' });
    });

    it('says why by default, and answers 404 for an endpoint that does not exist', async () => {
      const endpoint = await createEndpoint('/toggle-default', 'toggle.default');
      const disabled = await system.request('POST', `/v1/endpoints/${endpoint.id}/disable`);
      expect(disabled.body.disabled_reason).toBe('disabled by an operator');

      for (const action of ['disable', 'enable', 'pause', 'resume']) {
        const answer = await system.request('POST', `/v1/endpoints/ep_missing/${action}`);
        expect(answer.status).toBe(404);
        expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      expect((await system.request('GET', '/v1/endpoints/ep_missing/health')).status).toBe(404);
      const tooLong = await system.request('POST', `/v1/endpoints/${endpoint.id}/disable`, { body: { reason: 'x'.repeat(501) } });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    });
  });

  describe('manual retry', () => {
    it('sends a failed delivery again with the same webhook-id, recorded as a manual attempt', async () => {
      let failing = true;
      receiver.answer('/retry-me', () => (failing ? { status: 500, body: 'broken' } : { status: 200, body: 'fixed' }));
      await createEndpoint('/retry-me', 'retry.thing', { retry_schedule: [] });
      const eventId = await publish('retry.thing', { n: 1 });
      const failed = await deliveryOf(eventId, (status) => status === 'failed');
      expect(failed.attempts).toBe(1);

      failing = false;
      const retried = await system.request('POST', `/v1/deliveries/${failed.id}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body).toEqual({ delivery_id: failed.id, attempt: 2 });

      await receiver.waitForCount('/retry-me', 2);
      expect(receiver.received('/retry-me').map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId]);
      const succeeded = await deliveryOf(eventId, (status) => status === 'succeeded');
      expect(succeeded).toMatchObject({ attempts: 2, status_code: 200 });
      const attempts = await system.request('GET', `/v1/deliveries/${failed.id}/attempts`);
      expect(attempts.body.data.map((a: { attempt: number; trigger: string; status_code: number }) => [a.attempt, a.trigger, a.status_code])).toEqual([
        [1, 'scheduled', 500],
        [2, 'manual', 200],
      ]);
    });

    it('answers 404 for a delivery that does not exist', async () => {
      const answer = await system.request('POST', '/v1/deliveries/dlv_missing/retry');
      expect(answer.status).toBe(404);
      expect(answer.body.detail).toContain('dlv_missing');
    });
  });

  describe('replay', () => {
    it("re-delivers an endpoint's failed deliveries in a time range, and reports progress until completed", async () => {
      let failing = true;
      receiver.answer('/replay', () => (failing ? { status: 500 } : { status: 200 }));
      const endpoint = await createEndpoint('/replay', 'replay.thing', { retry_schedule: [] });
      const since = new Date(Date.now() - 1000).toISOString();
      const eventIds = await failedDeliveries(endpoint.id, 'replay.thing', 300);
      failing = false;

      const created = await system.request('POST', `/v1/endpoints/${endpoint.id}/replay`, { body: { since } });
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({ endpoint_id: endpoint.id, since, status: 'failed', state: 'running', total: 300, completed_at: null });
      expect(created.body.id).toMatch(/^rpl_/);
      expect(Date.parse(created.body.until)).toBeGreaterThan(Date.parse(since));

      const completed = await replayUntilCompleted(created.body.id);
      expect(completed).toMatchObject({ total: 300, dispatched: 300 });
      expect(completed.completed_at).not.toBeNull();
      await eventually(async () => ((await deliveriesOf(endpoint.id, 'succeeded')).length === 300 ? true : undefined), 'every replayed delivery to succeed', 30_000);
      const resent = receiver.received('/replay').slice(300).map((r) => r.headers['webhook-id']);
      expect(new Set(resent)).toEqual(new Set(eventIds));
      expect(resent).toHaveLength(300);
    });

    it('finishes a replay when the scheduler is killed in the middle of it', async () => {
      let failing = true;
      receiver.answer('/replay-crash', () => (failing ? { status: 500 } : { status: 200 }));
      const endpoint = await createEndpoint('/replay-crash', 'replay.crash', { retry_schedule: [] });
      const since = new Date(Date.now() - 1000).toISOString();
      const eventIds = await failedDeliveries(endpoint.id, 'replay.crash', 700);
      failing = false;

      const created = await system.request('POST', `/v1/endpoints/${endpoint.id}/replay`, { body: { since, status: 'failed' } });
      expect(created.status).toBe(202);
      // Kill it once the first page is out, if we catch it in time (it may also be before any page).
      const deadline = Date.now() + 2000;
      for (;;) {
        const { body } = await system.request('GET', `/v1/replays/${created.body.id}`);
        if (body.dispatched > 0 || body.state === 'completed' || Date.now() > deadline) break;
      }
      await system.kill('scheduler', 'SIGKILL');
      const atKill = await system.request('GET', `/v1/replays/${created.body.id}`);
      console.info(`replay at the kill: ${atKill.body.state}, ${atKill.body.dispatched} of ${atKill.body.total} dispatched`);
      await system.startApp('scheduler');

      const completed = await replayUntilCompleted(created.body.id);
      expect(completed).toMatchObject({ total: 700, dispatched: 700 });
      await eventually(async () => ((await deliveriesOf(endpoint.id, 'succeeded')).length === 700 ? true : undefined), 'every replayed delivery to succeed', 60_000);
      const resent = receiver.received('/replay-crash').slice(700).map((r) => r.headers['webhook-id']);
      expect(new Set(resent)).toEqual(new Set(eventIds));
    });

    it('refuses a replay without a valid range, for an unknown or disabled endpoint, and an unknown replay', async () => {
      const endpoint = await createEndpoint('/replay-refused', 'replay.refused');
      const replay = (body: unknown, id = endpoint.id) => system.request('POST', `/v1/endpoints/${id}/replay`, { body });
      const fields = (answer: { body: { errors?: { field: string }[] } }) => answer.body.errors?.map((e) => e.field);

      const missing = await replay({});
      expect(missing.status).toBe(400);
      expect(fields(missing)).toEqual(['since']);
      expect(missing.body.detail).toContain('since');
      const invalid = await replay({ since: 'last tuesday' });
      expect(invalid.status).toBe(400);
      expect(fields(invalid)).toEqual(['since']);
      const backwards = await replay({ since: '2025-02-01T00:00:00Z', until: '2025-01-01T00:00:00Z' });
      expect(backwards.status).toBe(400);
      expect(fields(backwards)).toEqual(['until']);
      const status = await replay({ since: '2025-01-01T00:00:00Z', status: 'pending' });
      expect(status.status).toBe(400);
      expect(fields(status)).toEqual(['status']);

      expect((await replay({ since: '2025-01-01T00:00:00Z' }, 'ep_missing')).status).toBe(404);
      expect((await system.request('GET', '/v1/replays/rpl_missing')).status).toBe(404);

      // Nothing in range: completed at once.
      const empty = await replay({ since: '2025-01-01T00:00:00Z', until: '2025-01-02T00:00:00Z', status: 'all' });
      expect(empty.status).toBe(202);
      expect(empty.body).toMatchObject({ state: 'completed', total: 0, dispatched: 0, status: 'all', until: '2025-01-02T00:00:00.000Z' });

      await system.request('POST', `/v1/endpoints/${endpoint.id}/disable`);
      const disabled = await replay({ since: '2025-01-01T00:00:00Z' });
      expect(disabled.status).toBe(409);
      expect(disabled.body.detail).toContain('enable');
    });
  });

  describe('health', () => {
    it('shows a closed circuit and an empty window for an endpoint without attempts', async () => {
      const endpoint = await createEndpoint('/health-new', 'health.new');
      const { status, body } = await system.request('GET', `/v1/endpoints/${endpoint.id}/health`);
      expect(status).toBe(200);
      expect(body).toEqual({
        endpoint_id: endpoint.id, active: true, disabled_reason: null, paused: false,
        circuit: { state: 'closed', opened_at: null, retry_at: null },
        consecutive_failures: 0, failing_since: null, last_success_at: null, last_failure_at: null,
        window: { seconds: WINDOW_S, requests: 0, successes: 0, failures: 0, success_rate: null, latency_ms: { p50: null, p95: null, p99: null } },
      });
    });

    it('counts successes and failures, the failure streak and latency percentiles over the window', async () => {
      receiver.answer('/health-mixed', (_request, count) => (count <= 3 ? { status: 200, delayMs: 20 } : { status: 500, delayMs: 20 }));
      const endpoint = await createEndpoint('/health-mixed', 'health.mixed', { retry_schedule: [] });
      // One at a time, so the streak is certain: three successes, then two failures.
      for (let n = 1; n <= 5; n++) {
        const eventId = await publish('health.mixed', { n });
        await deliveryOf(eventId, (status) => status === 'succeeded' || status === 'failed');
      }

      const { body } = await eventually(async () => {
        const answer = await system.request('GET', `/v1/endpoints/${endpoint.id}/health`);
        return answer.body.consecutive_failures === 2 ? answer : undefined;
      }, 'the failure streak to show');
      expect(body).toMatchObject({
        endpoint_id: endpoint.id, active: true, paused: false, circuit: { state: 'closed' }, consecutive_failures: 2,
        window: { seconds: WINDOW_S, requests: 5, successes: 3, failures: 2, success_rate: 0.6 },
      });
      expect(Date.parse(body.last_failure_at)).toBeGreaterThan(Date.parse(body.last_success_at));
      expect(Date.parse(body.failing_since)).toBeGreaterThan(Date.parse(body.last_success_at));
      const { p50, p95, p99 } = body.window.latency_ms;
      expect(p50).toBeGreaterThanOrEqual(15);
      expect(p95).toBeGreaterThanOrEqual(p50);
      expect(p99).toBeGreaterThanOrEqual(p95);
    });
  });
});

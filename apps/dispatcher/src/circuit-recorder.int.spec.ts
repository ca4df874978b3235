import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  AttemptResult, DEFAULT_ENDPOINT_SETTINGS, DeliveryAttempted, DeliveryEventType, deliveryScheduled, deliveryStreamId, endpointCreated,
  endpointDisabled, endpointEnabled, EndpointEventType, ENDPOINT_STREAM_TYPE, endpointStreamId,
} from '@hookledger/domain';
import { EventStore } from '@hookledger/event-store';
import { TestInfrastructure } from '@hookledger/testing';
import { CircuitRecorder } from './circuit-recorder';

/** One endpoint's attempts in a batch, and the circuit its dispatch contexts saw. */
interface EndpointAttempts {
  readonly endpointId: string;
  readonly results: readonly AttemptResult[];
  readonly circuitSeen: 'closed' | 'open' | 'half_open';
}

// Five failures in a row open the circuit; the window's rate needs 10 requests.
const ENV = { HOOKS_CIRCUIT_CONSECUTIVE_FAILURES: '5', HOOKS_CIRCUIT_MIN_REQUESTS: '10', HOOKS_CIRCUIT_FAILURE_RATE: '0.5', HOOKS_CIRCUIT_COOLDOWN_S: '30' };

let infrastructure: TestInfrastructure;
let apps: TestingModule[];
let db: DataSource;
let seq = 0;

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  apps = [
    await infrastructure.compile({ name: 'test-dispatcher-a', providers: [CircuitRecorder], env: ENV }),
    await infrastructure.compile({ name: 'test-dispatcher-b', providers: [CircuitRecorder], env: ENV }),
  ];
  db = apps[0].get(DataSource);
});

afterAll(async () => {
  await infrastructure?.close();
});

const store = () => apps[0].get(EventStore);

async function createEndpoint(): Promise<string> {
  const id = `ep_breaker_${++seq}`;
  await db.transaction((tx) => store().append(tx, [{
    streamId: endpointStreamId(id), streamType: ENDPOINT_STREAM_TYPE, expectedVersion: 0,
    events: [endpointCreated({ ...DEFAULT_ENDPOINT_SETTINGS, url: 'https://receiver.example/hooks', id, tenant_id: 'default', auth: null, adhoc: false, secret_key_id: `${id}.signing.1` })],
  }]));
  return id;
}

async function appendToEndpoint(id: string, events: Parameters<EventStore['append']>[1][number]['events']): Promise<void> {
  const [{ version }] = await db.query(`SELECT version FROM streams WHERE stream_id = $1`, [endpointStreamId(id)]);
  await db.transaction((tx) => store().append(tx, [{ streamId: endpointStreamId(id), streamType: ENDPOINT_STREAM_TYPE, expectedVersion: version, events }]));
}

/** Deliveries attempted once each, as the dispatcher records them: failed (503) or succeeded, 1 ms apart. */
async function attempt(endpointId: string, outcomes: ('fail' | 'ok')[]): Promise<AttemptResult[]> {
  const start = Date.now();
  const streams = outcomes.map((outcome, i) => {
    const deliveryId = `dlv_${endpointId}_${++seq}`;
    const attempted: DeliveryAttempted = {
      type: DeliveryEventType.DeliveryAttempted, schema_version: 1,
      data: {
        attempt_id: `att_${deliveryId}`, attempt: 1, trigger: 'scheduled', url: 'https://receiver.example/hooks',
        started_at: new Date(start + i).toISOString(), duration_ms: 1, status_code: outcome === 'ok' ? 200 : 503,
        outcome: outcome === 'ok' ? 'http_2xx' : 'http_5xx', error: null, response_body: null,
      },
    };
    return {
      streamId: deliveryStreamId(deliveryId), streamType: 'delivery', expectedVersion: 0,
      events: [deliveryScheduled({ delivery_id: deliveryId, message_id: `msg_${deliveryId}`, endpoint_id: endpointId, event_type: 'order.created', tenant_id: 'default' }), attempted],
    };
  });
  await db.transaction((tx) => store().append(tx, streams));
  return outcomes.map((outcome, i) => ({ succeeded: outcome === 'ok', gone: false, at: new Date(start + i + 1) }));
}

async function record(app: TestingModule, batch: EndpointAttempts[]): Promise<void> {
  const attempts = batch.flatMap(({ endpointId, results, circuitSeen }) => results.map((result) => ({ endpointId, circuitSeen, result })));
  await app.get(DataSource).transaction((tx) => app.get(CircuitRecorder).record(tx, attempts));
}

async function circuitEvents(id: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return db.query(`SELECT type, data FROM events WHERE stream_id = $1 AND type LIKE 'EndpointCircuit%' ORDER BY stream_version`, [endpointStreamId(id)]);
}

describe('the dispatcher’s circuit breaker, on the endpoint’s stream', () => {
  it('opens after five failures in a row, recording the run and the window, and announces it', async () => {
    const id = await createEndpoint();
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['ok', 'fail', 'fail', 'fail', 'fail']), circuitSeen: 'closed' }]);
    expect(await circuitEvents(id)).toEqual([]);
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['fail']), circuitSeen: 'closed' }]);
    const [opened] = await circuitEvents(id);
    expect(opened).toEqual({
      type: EndpointEventType.EndpointCircuitOpened,
      data: expect.objectContaining({ id, reason: 'failures', consecutive_failures: 5, cooldown_s: 30, window: { seconds: 60, requests: 6, failures: 5 } }),
    });
    const [row] = await db.query(`SELECT circuit_state, circuit_cooldown_s FROM endpoints WHERE id = $1`, [id]);
    expect(row).toEqual({ circuit_state: 'open', circuit_cooldown_s: 30 });
    const outbox: { payload: { data: object } }[] = await db.query(`SELECT payload FROM outbox WHERE subject LIKE '%endpoint.circuit_opened'`);
    expect(outbox.map((entry) => entry.payload.data)).toContainEqual(expect.objectContaining({ tenant_id: 'default', endpoint_id: id, reason: 'failures', consecutive_failures: 5 }));
  });

  it('opens on the window’s failure rate once it holds enough requests', async () => {
    const id = await createEndpoint();
    const results = await attempt(id, ['fail', 'ok', 'fail', 'ok', 'fail', 'ok', 'fail', 'ok', 'fail', 'fail']);
    await record(apps[0], [{ endpointId: id, results, circuitSeen: 'closed' }]);
    expect((await circuitEvents(id)).map((event) => event.data.window)).toEqual([{ seconds: 60, requests: 10, failures: 6 }]);
  });

  it('records nothing for a batch of successes through a closed circuit', async () => {
    const id = await createEndpoint();
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['ok', 'ok']), circuitSeen: 'closed' }]);
    expect(await circuitEvents(id)).toEqual([]);
  });

  it('two dispatchers recording failures at once open the circuit once', async () => {
    const id = await createEndpoint();
    await attempt(id, ['fail', 'fail', 'fail', 'fail']);
    const [a, b] = [await attempt(id, ['fail']), await attempt(id, ['fail'])];
    await Promise.all([record(apps[0], [{ endpointId: id, results: a, circuitSeen: 'closed' }]), record(apps[1], [{ endpointId: id, results: b, circuitSeen: 'closed' }])]);
    expect((await circuitEvents(id)).map((event) => event.type)).toEqual([EndpointEventType.EndpointCircuitOpened]);
  });

  it('a probe’s success closes a half-open circuit; its failure opens it again for twice as long', async () => {
    const id = await createEndpoint();
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['fail', 'fail', 'fail', 'fail', 'fail']), circuitSeen: 'closed' }]);
    await appendToEndpoint(id, [{ type: EndpointEventType.EndpointCircuitHalfOpened, schema_version: 1, data: { id, probe_delivery_id: 'dlv_probe' } }]);
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['fail']), circuitSeen: 'half_open' }]);
    await appendToEndpoint(id, [{ type: EndpointEventType.EndpointCircuitHalfOpened, schema_version: 1, data: { id, probe_delivery_id: 'dlv_probe_2' } }]);
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['ok']), circuitSeen: 'half_open' }]);
    expect((await circuitEvents(id)).map((event) => [event.type, event.data.reason ?? null, event.data.cooldown_s ?? null])).toEqual([
      [EndpointEventType.EndpointCircuitOpened, 'failures', 30],
      [EndpointEventType.EndpointCircuitHalfOpened, null, null],
      [EndpointEventType.EndpointCircuitOpened, 'probe_failed', 60],
      [EndpointEventType.EndpointCircuitHalfOpened, null, null],
      [EndpointEventType.EndpointCircuitClosed, 'delivery_succeeded', null],
    ]);
  });

  it('counts failures afresh from an operator’s enable', async () => {
    const id = await createEndpoint();
    await attempt(id, ['fail', 'fail', 'fail', 'fail']);
    await appendToEndpoint(id, [endpointDisabled({ id, reason: 'disabled by an operator', by: 'operator' }), endpointEnabled({ id, by: 'operator' })]);
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['fail']), circuitSeen: 'closed' }]);
    expect(await circuitEvents(id)).toEqual([]);
    await record(apps[0], [{ endpointId: id, results: await attempt(id, ['fail', 'fail', 'fail', 'fail']), circuitSeen: 'closed' }]);
    expect((await circuitEvents(id)).map((event) => event.data.consecutive_failures)).toEqual([5]);
  });
});

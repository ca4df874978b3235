import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  DEFAULT_ENDPOINT_SETTINGS, deliveryDeferred, deliveryScheduled, deliveryStreamId, endpointCreated, EndpointEventType, ENDPOINT_STREAM_TYPE, endpointStreamId,
} from '@hookledger/domain';
import { EndpointCircuits, EventStore } from '@hookledger/event-store';
import { DispatchRecorder, TestInfrastructure } from '@hookledger/testing';
import { CircuitProber } from './circuit-prober';

/** Two scheduler instances: their own pools and NATS connections, one database and namespace. */
let infrastructure: TestInfrastructure;
let probers: CircuitProber[];
let apps: TestingModule[];
let db: DataSource;
let dispatches: DispatchRecorder;
let seq = 0;

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  apps = [
    await infrastructure.compile({ name: 'test-prober-a', providers: [CircuitProber] }),
    await infrastructure.compile({ name: 'test-prober-b', providers: [CircuitProber] }),
  ];
  probers = apps.map((app) => app.get(CircuitProber));
  db = apps[0].get(DataSource);
  dispatches = await DispatchRecorder.start(infrastructure.topology);
});

afterAll(async () => {
  await dispatches?.close();
  await infrastructure?.close();
});

const store = () => apps[0].get(EventStore);
const tick = (prober: CircuitProber) => (prober as unknown as { tick(): Promise<boolean> }).tick();

/** An endpoint created through its stream, its circuit opened (due for a probe `dueIn` seconds from now), with `held` deliveries waiting. */
async function openEndpoint(held: number, dueIn = -1): Promise<{ id: string; deliveries: string[] }> {
  const id = `ep_probe_${++seq}`;
  await db.transaction((tx) => store().append(tx, [{
    streamId: endpointStreamId(id), streamType: ENDPOINT_STREAM_TYPE, expectedVersion: 0,
    events: [endpointCreated({ ...DEFAULT_ENDPOINT_SETTINGS, url: 'https://receiver.example/hooks', id, tenant_id: 'default', auth: null, adhoc: false, secret_key_id: `${id}.signing.1` })],
  }]));
  const deliveries = Array.from({ length: held }, (_, i) => `dlv_${id}_${i}`);
  if (deliveries.length > 0) {
    await db.transaction((tx) => store().append(tx, deliveries.map((deliveryId) => ({
      streamId: deliveryStreamId(deliveryId), streamType: 'delivery', expectedVersion: 0,
      // Its first dispatch found the circuit open: held, not spent.
      events: [
        deliveryScheduled({ delivery_id: deliveryId, message_id: `msg_${deliveryId}`, endpoint_id: id, event_type: 'order.created', tenant_id: 'default' }),
        deliveryDeferred({ attempt: 1, reason: 'circuit_open' }),
      ],
    }))));
  }
  const now = new Date();
  await db.transaction((tx) => apps[0].get(EndpointCircuits).transition(tx, [id], () => [{
    type: 'OpenEndpointCircuit', endpoint_id: id, reason: 'failures', retry_at: new Date(now.getTime() + dueIn * 1000), cooldown_s: 30,
    consecutive_failures: 5, window: null, now,
  }], { actor: 'test' }));
  return { id, deliveries };
}

async function circuitEvents(id: string): Promise<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[]> {
  return db.query(
    `SELECT type, data, metadata FROM events WHERE stream_id = $1 AND type LIKE 'EndpointCircuit%' ORDER BY stream_version`, [endpointStreamId(id)]);
}

async function circuitRow(id: string): Promise<{ circuit_state: string; circuit_probe_delivery_id: string | null }> {
  const [row] = await db.query(`SELECT circuit_state, circuit_probe_delivery_id FROM endpoints WHERE id = $1`, [id]);
  return row;
}

describe('the circuit prober, on the endpoint’s stream', () => {
  it('half-opens a due circuit, naming the one held delivery it sends as the probe', async () => {
    const { id, deliveries } = await openEndpoint(3);
    await tick(probers[0]);
    const events = await circuitEvents(id);
    expect(events.map((event) => event.type)).toEqual([EndpointEventType.EndpointCircuitOpened, EndpointEventType.EndpointCircuitHalfOpened]);
    const probe = events[1].data.probe_delivery_id as string;
    expect(deliveries).toContain(probe);
    expect(events[1].metadata).toMatchObject({ actor: 'system:scheduler', tenant_id: 'default' });
    expect(await circuitRow(id)).toEqual({ circuit_state: 'half_open', circuit_probe_delivery_id: probe });
    const sent = (await dispatches.published()).filter((p) => deliveries.includes(p.command.delivery_id));
    expect(sent.map((p) => p.command)).toEqual([expect.objectContaining({ delivery_id: probe, probe: true, attempt: 1 })]);
  });

  it('leaves a circuit whose cool-down has not ended alone', async () => {
    const { id } = await openEndpoint(1, 60);
    await tick(probers[0]);
    expect((await circuitEvents(id)).map((event) => event.type)).toEqual([EndpointEventType.EndpointCircuitOpened]);
  });

  it('closes a due circuit with nothing held, and says so in the outbox', async () => {
    const { id } = await openEndpoint(0);
    await tick(probers[0]);
    const events = await circuitEvents(id);
    expect(events.map((event) => [event.type, event.data.reason])).toEqual([
      [EndpointEventType.EndpointCircuitOpened, 'failures'], [EndpointEventType.EndpointCircuitClosed, 'nothing_held'],
    ]);
    expect((await circuitRow(id)).circuit_state).toBe('closed');
    const outbox: { payload: { data: { endpoint_id: string } } }[] = await db.query(`SELECT payload FROM outbox WHERE subject LIKE '%endpoint.circuit_closed'`);
    expect(outbox.map((row) => row.payload.data.endpoint_id)).toContain(id);
  });

  it('two schedulers probing at once send one probe and record one transition', async () => {
    const { id, deliveries } = await openEndpoint(5);
    await Promise.all(probers.map(tick));
    expect((await circuitEvents(id)).map((event) => event.type)).toEqual([EndpointEventType.EndpointCircuitOpened, EndpointEventType.EndpointCircuitHalfOpened]);
    const sent = (await dispatches.published()).filter((p) => deliveries.includes(p.command.delivery_id));
    expect(sent).toHaveLength(1);
  });

  it('opens again, due at once, a half-open circuit whose probe has had no outcome for two minutes', async () => {
    const { id } = await openEndpoint(2);
    await tick(probers[0]);
    // Two minutes pass: the projection's clock for the half-open circuit is moved back, as if they had.
    await db.query(`UPDATE endpoints SET circuit_changed_at = circuit_changed_at - interval '3 minutes' WHERE id = $1`, [id]);
    await tick(probers[1]);
    const events = await circuitEvents(id);
    expect(events.map((event) => [event.type, event.data.reason ?? null])).toEqual([
      [EndpointEventType.EndpointCircuitOpened, 'failures'], [EndpointEventType.EndpointCircuitHalfOpened, null],
      [EndpointEventType.EndpointCircuitOpened, 'probe_lost'],
      // Due at once: the same tick (or the next) lets a new probe through.
      ...(events.length > 3 ? [[EndpointEventType.EndpointCircuitHalfOpened, null]] : []),
    ]);
    await tick(probers[0]);
    expect((await circuitRow(id)).circuit_state).toBe('half_open');
  });
});

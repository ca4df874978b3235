import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  DEFAULT_ENDPOINT_SETTINGS, DeliveryAttempted, DeliveryEventType, deliveryScheduled, deliveryStreamId, endpointCreated, endpointStreamId,
} from '@hookledger/domain';
import { EventStore, loadCheckpoint, PROJECTORS, StreamAppend } from '@hookledger/event-store';
import { TestInfrastructure } from '@hookledger/testing';
import { ProjectionCatchUp } from './projection-catch-up';

let infrastructure: TestInfrastructure;
let scheduler: TestingModule;
let db: DataSource;
// The store alone: the inline projections of these events are other specs' subject.
const store = new EventStore([]);

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  scheduler = await infrastructure.compile({ name: 'test-catch-up', providers: [ProjectionCatchUp], env: { HOOKS_SCHEDULER_INTERVAL_MS: '20' } });
  db = scheduler.get(DataSource);
});

afterAll(async () => {
  await infrastructure?.close();
});

const append = (appends: StreamAppend[]) => db.transaction((tx) => store.append(tx, appends));
const failed = (id: string, attempt: number): DeliveryAttempted => ({
  type: DeliveryEventType.DeliveryAttempted, schema_version: 1,
  data: {
    attempt_id: `att_${id}_${attempt}`, attempt, trigger: 'scheduled', url: 'https://receiver.example/hooks', started_at: new Date().toISOString(),
    duration_ms: 5, status_code: 500, outcome: 'http_5xx', error: null, response_body: null,
  },
});
const failures = async (endpointId: string): Promise<number | undefined> =>
  (await db.query(`SELECT consecutive_failures FROM endpoint_health WHERE endpoint_id = $1`, [endpointId]))[0]?.consecutive_failures;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} at the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the scheduler’s ProjectionCatchUp', () => {
  it('keeps every async projection caught up on its own, once the scheduler starts', async () => {
    await append([{
      streamId: endpointStreamId('ep_1'), streamType: 'endpoint', expectedVersion: 0,
      events: [endpointCreated({
        ...DEFAULT_ENDPOINT_SETTINGS, url: 'https://receiver.example/ep_1', id: 'ep_1', tenant_id: 'acme', auth: null, adhoc: false, secret_key_id: 'ep_1.k1',
      })],
    }]);
    await append([{
      streamId: deliveryStreamId('dlv_1'), streamType: 'delivery', expectedVersion: 0,
      events: [
        deliveryScheduled({ delivery_id: 'dlv_1', message_id: 'msg_1', endpoint_id: 'ep_1', event_type: 'order.paid', tenant_id: 'acme' }),
        failed('dlv_1', 1),
      ],
    }]);
    await scheduler.init();

    await eventually(() => failures('ep_1'), (n) => n === 1, 'the first failure');
    await append([{ streamId: deliveryStreamId('dlv_1'), streamType: 'delivery', expectedVersion: 2, events: [failed('dlv_1', 2)] }]);
    await eventually(() => failures('ep_1'), (n) => n === 2, 'the second failure');
    const async = PROJECTORS.filter((projector) => projector.mode === 'async').map((projector) => projector.name);
    expect(async).toContain('endpoint-health');
    for (const name of async) {
      await eventually(async () => (await loadCheckpoint(db.manager, name)).globalPosition, (position) => position > 0n, `${name}'s checkpoint`);
    }
  });
});

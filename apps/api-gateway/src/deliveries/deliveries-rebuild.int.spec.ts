import 'reflect-metadata';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  classifyResponse, DeliveryCommand, deliveryDecider, deliveryScheduled, deliveryStreamId, fannedOutMessageReceived, foldEvents, plaintextMessageReceived,
  messageStreamId, readDeliveryEvent,
} from '@hookledger/domain';
import { AggregateRepository, deliveriesProjector, EventStore, messagesProjector, rebuildProjection } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, rowDifference, TestDatabase } from '@hookledger/testing';
import { DeliveryCommandHandlers, RequeueDeliveryCommand } from './commands';
import { deliveryAggregate } from './commands/delivery-aggregate';

let database: TestDatabase;
let db: DataSource;
/** The live rows are snapshotted into scratch tables to compare with a rebuild: only the owner may create tables. */
let owner: DataSource;
let app: TestingModule;
let commands: CommandBus;
let aggregates: AggregateRepository;
const store = new EventStore();

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 4);
  owner = await openDataSource(database, 1, 'owner');
  app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [...DeliveryCommandHandlers, AggregateRepository, { provide: EventStore, useValue: store }, { provide: DataSource, useValue: db }],
  }).compile();
  await app.init();
  commands = app.get(CommandBus);
  aggregates = app.get(AggregateRepository);
});

afterAll(async () => {
  await app?.close();
  await owner?.destroy();
  await db?.destroy();
  await database?.drop();
});

/** As ingest appends a batch: the messages (exact payload text) and one DeliveryScheduled per delivery, in one append. */
async function publish(messages: readonly { id: string; payload: string; deliveries: readonly string[] }[]): Promise<void> {
  await db.transaction((tx) => store.append(tx, messages.flatMap((message) => [
    {
      streamId: messageStreamId('acme', message.id), streamType: 'message', expectedVersion: 0,
      events: [plaintextMessageReceived({ id: message.id, type: 'order.created', timestamp: new Date(), tenant_id: 'acme', payload: message.payload })],
    },
    ...message.deliveries.map((id) => ({
      streamId: deliveryStreamId(id), streamType: 'delivery', expectedVersion: 0,
      events: [deliveryScheduled({ delivery_id: id, message_id: message.id, endpoint_id: `ep_${id}`, event_type: 'order.created', tenant_id: 'acme' })],
    })),
  ])));
}

/** As ingest appends a batch since issue 16: one MessageReceived v5 per message naming its deliveries; their streams stay empty. */
async function publishFannedOut(messages: readonly { id: string; deliveries: readonly string[] }[]): Promise<void> {
  await db.transaction((tx) => store.append(tx, messages.map((message) => ({
    streamId: messageStreamId('acme', message.id), streamType: 'message', expectedVersion: 0,
    events: [fannedOutMessageReceived({
      id: message.id, type: 'order.created', timestamp: new Date(), tenant_id: 'acme', sealed_payload: `sealed-${message.id}`,
      deliveries: message.deliveries.map((id) => ({ delivery_id: id, endpoint_id: `ep_${id}` })),
    })],
  }))));
}

/** As the dispatcher records an attempt (or a deferral): decided on the stream's state, appended at its version. */
async function dispatch(id: string, command: (attempt: number) => DeliveryCommand): Promise<void> {
  const { state } = await aggregates.handle(deliveryAggregate, deliveryStreamId(id), command(foldAttempts(await streamOf(id)) + 1), { actor: 'system:dispatcher' });
  expect(state.delivery_id).toBe(id);
}

async function streamOf(id: string) {
  return (await store.loadStream(db.manager, deliveryStreamId(id))).events.map(readDeliveryEvent).filter((e) => e !== null);
}
const foldAttempts = (events: Parameters<typeof foldEvents>[1]) => foldEvents(deliveryDecider, events as never).attempts;

const answered = (statusCode: number, trigger: 'scheduled' | 'manual' = 'scheduled') => (attempt: number): DeliveryCommand => {
  const now = new Date();
  return {
    type: 'RecordDeliveryAttempt',
    data: {
      attempt: { attempt_id: `att_${Math.random().toString(36).slice(2)}`, attempt, trigger, url: 'https://example.com/hooks', started_at: now, duration_ms: 7, status_code: statusCode, error: null, request: { method: 'POST', headers: {}, body_sha256: '00'.repeat(32), signature: null } },
      classification: classifyResponse({ statusCode, now }), schedule: [60, 600], now, jitter: 0.5,
    },
  };
};

const difference = (a: string, b: string) => rowDifference(owner, a, b);

// json has no equality operator: compare messages with data as text (the bytes must match anyway).
const MESSAGES = `SELECT seq, tenant_id, id, type, data::text AS data, channels, timestamp, received_at FROM messages`;

describe('messages, deliveries and attempts, rebuilt from the store', () => {
  it('rebuild exactly the rows the live projections wrote — whatever the batch size — and the same rows again', async () => {
    await publish([
      { id: 'order-1', payload: '{"z": 1.0, "a": [1e2]}', deliveries: ['dlv_ok', 'dlv_retried'] },
      { id: 'order-2', payload: '{ "b":2 }', deliveries: ['dlv_failed', 'dlv_held'] },
    ]);
    await publish([{ id: 'order-3', payload: '{}', deliveries: [] }]);
    await dispatch('dlv_ok', answered(200));
    await dispatch('dlv_retried', answered(503));
    await dispatch('dlv_failed', answered(410));
    await dispatch('dlv_held', (attempt) => ({ type: 'DeferDeliveryAttempt', data: { attempt, trigger: 'scheduled', reason: 'endpoint_paused' } }));
    expect(await commands.execute(new RequeueDeliveryCommand('dlv_failed', 'api-key:key_ops'))).toEqual({ attempt: 2, version: 4 });
    await dispatch('dlv_failed', answered(200, 'manual'));
    await commands.execute(new RequeueDeliveryCommand('dlv_retried', 'api-key:key_ops'));

    await owner.query(`CREATE TABLE live_messages AS ${MESSAGES}`);
    await owner.query(`CREATE TABLE live_deliveries AS SELECT * FROM deliveries`);
    await owner.query(`CREATE TABLE live_attempts AS SELECT * FROM attempts`);
    expect(await owner.query(`SELECT id, status, attempts, version, due_at IS NOT NULL AS due FROM live_deliveries ORDER BY id`)).toEqual([
      // A delivered attempt is one event (DeliveryAttempted v3, no DeliverySucceeded after it).
      { id: 'dlv_failed', status: 'succeeded', attempts: 2, version: 5, due: false },
      { id: 'dlv_held', status: 'pending', attempts: 0, version: 2, due: true },
      { id: 'dlv_ok', status: 'succeeded', attempts: 1, version: 2, due: false },
      { id: 'dlv_retried', status: 'retrying', attempts: 1, version: 4, due: true },
    ]);
    expect(await owner.query(`SELECT data FROM live_messages ORDER BY seq`)).toEqual([{ data: '{"z": 1.0, "a": [1e2]}' }, { data: '{ "b":2 }' }, { data: '{}' }]);

    for (const batchSize of [1, 1000]) {
      await rebuildProjection(db, messagesProjector, { batchSize });
      await rebuildProjection(db, deliveriesProjector, { batchSize });
      await owner.query(`DROP TABLE IF EXISTS rebuilt_messages; CREATE TABLE rebuilt_messages AS ${MESSAGES}`);
      expect(await difference('live_messages', 'rebuilt_messages')).toEqual([]);
      expect(await difference('live_deliveries', 'deliveries')).toEqual([]);
      expect(await difference('live_attempts', 'attempts')).toEqual([]);
    }
  });

  it('old (DeliveryScheduled) and new (fanned out by MessageReceived v5) histories, mixed, rebuild to the live rows; a new delivery is dispatched and requeued from its message\'s schedule', async () => {
    await publish([{ id: 'order-10', payload: '{}', deliveries: ['dlv_old_ok', 'dlv_old_failed'] }]);
    await publishFannedOut([{ id: 'order-11', deliveries: ['dlv_new_ok', 'dlv_new_retried', 'dlv_new_failed'] }, { id: 'order-12', deliveries: ['dlv_new_held'] }]);
    expect(await db.query(`SELECT id, version FROM deliveries WHERE id LIKE 'dlv_new_%' ORDER BY id`)).toEqual([
      { id: 'dlv_new_failed', version: 0 }, { id: 'dlv_new_held', version: 0 }, { id: 'dlv_new_ok', version: 0 }, { id: 'dlv_new_retried', version: 0 },
    ]);
    // A delivery nothing happened to yet is requeued on its message's schedule: its stream begins with the requeue.
    expect(await commands.execute(new RequeueDeliveryCommand('dlv_new_held', 'api-key:key_ops'))).toEqual({ attempt: 1, version: 1 });
    await dispatch('dlv_new_held', (attempt) => ({ type: 'DeferDeliveryAttempt', data: { attempt, trigger: 'scheduled', reason: 'endpoint_paused' } }));
    for (const id of ['dlv_old_ok', 'dlv_new_ok']) await dispatch(id, answered(200));
    await dispatch('dlv_new_retried', answered(503));
    for (const id of ['dlv_old_failed', 'dlv_new_failed']) await dispatch(id, answered(410));
    expect(await commands.execute(new RequeueDeliveryCommand('dlv_new_failed', 'api-key:key_ops'))).toEqual({ attempt: 2, version: 3 });
    await dispatch('dlv_new_failed', answered(200, 'manual'));
    await commands.execute(new RequeueDeliveryCommand('dlv_new_retried', 'api-key:key_ops'));
    // The happy path is one event on the delivery's stream: the delivered attempt.
    expect(await db.query(`SELECT type, schema_version FROM events WHERE stream_id = $1`, [deliveryStreamId('dlv_new_ok')])).toEqual([
      { type: 'DeliveryAttempted', schema_version: 3 },
    ]);

    await owner.query(`CREATE TABLE mixed_deliveries AS SELECT * FROM deliveries`);
    await owner.query(`CREATE TABLE mixed_attempts AS SELECT * FROM attempts`);
    expect(await owner.query(`SELECT id, status, attempts, version, due_at IS NOT NULL AS due FROM mixed_deliveries WHERE id LIKE 'dlv_old_%' OR id LIKE 'dlv_new_%' ORDER BY id`)).toEqual([
      { id: 'dlv_new_failed', status: 'succeeded', attempts: 2, version: 4, due: false },
      { id: 'dlv_new_held', status: 'pending', attempts: 0, version: 2, due: true },
      { id: 'dlv_new_ok', status: 'succeeded', attempts: 1, version: 1, due: false },
      { id: 'dlv_new_retried', status: 'retrying', attempts: 1, version: 3, due: true },
      { id: 'dlv_old_failed', status: 'failed', attempts: 1, version: 3, due: false },
      { id: 'dlv_old_ok', status: 'succeeded', attempts: 1, version: 2, due: false },
    ]);
    for (const batchSize of [1, 3, 1000]) {
      await rebuildProjection(db, deliveriesProjector, { batchSize });
      expect(await difference('mixed_deliveries', 'deliveries')).toEqual([]);
      expect(await difference('mixed_attempts', 'attempts')).toEqual([]);
    }
  });

  it('a delivery never scheduled cannot be requeued', async () => {
    await expect(commands.execute(new RequeueDeliveryCommand('dlv_missing', 'api-key:key_ops'))).rejects.toMatchObject({ kind: 'not_found' });
  });
});

import {
  AttemptReason, DEFAULT_ENDPOINT_SETTINGS, DeliveryAttempted, DeliveryEventType, deliveryFailed, deliveryScheduled, deliveryStreamId,
  endpointCreated, endpointDeleted, endpointDisabled, endpointEnabled, endpointStreamId, endpointUpdated, messageStreamId,
} from '@hookledger/domain';
import {
  CatchUpProjection, Checkpoint, endpointHealthProjector, EventStore, loadCheckpoint, NewEvent, rebuildProjection, StreamAppend,
} from '@hookledger/event-store';
import { rowDifference, specDataSource } from '@hookledger/testing';

const database = specDataSource(4);
// The store alone: the inline projections of these events are other specs' subject.
const store = new EventStore([]);

const ENDPOINT_OF: Record<string, string> = { dlv_1: 'ep_1', dlv_2: 'ep_1', dlv_3: 'ep_2', dlv_4: 'ep_3' };
const started = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const ended = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second, 100));

const endpoint = (id: string, expectedVersion: number, ...events: NewEvent[]): StreamAppend =>
  ({ streamId: endpointStreamId(id), streamType: 'endpoint', expectedVersion, events });
const delivery = (id: string, expectedVersion: number, ...events: NewEvent[]): StreamAppend =>
  ({ streamId: deliveryStreamId(id), streamType: 'delivery', expectedVersion, events });
const created = (id: string) => endpointCreated({
  ...DEFAULT_ENDPOINT_SETTINGS, url: `https://receiver.example/${id}`, id, tenant_id: 'acme', auth: null, adhoc: false, secret_key_id: `${id}.k1`,
});
const scheduled = (id: string) =>
  deliveryScheduled({ delivery_id: id, message_id: `msg_${id}`, endpoint_id: ENDPOINT_OF[id], event_type: 'order.paid', tenant_id: 'acme' });
const attempted = (id: string, attempt: number, outcome: AttemptReason, second: number): DeliveryAttempted => ({
  type: DeliveryEventType.DeliveryAttempted, schema_version: 1,
  data: {
    attempt_id: `att_${id}_${attempt}`, attempt, trigger: 'scheduled', url: 'https://receiver.example/hooks', started_at: started(second).toISOString(),
    duration_ms: 100, status_code: outcome === 'http_2xx' ? 200 : outcome === 'gone' ? 410 : 500, outcome, error: null, response_body: null,
  },
});

const append = (appends: StreamAppend[]) => database.current.transaction((tx) => store.append(tx, appends));
const rows = () => database.current.query(
  `SELECT endpoint_id, active, consecutive_failures, failing_since, last_success_at, last_failure_at, gone_at FROM endpoint_health ORDER BY endpoint_id`,
);
const recordedAt = async (streamId: string, version: number): Promise<Date> =>
  (await database.current.query(`SELECT recorded_at FROM events WHERE stream_id = $1 AND stream_version = $2`, [streamId, version]))[0].recorded_at;

/** The last event of the store in reading order: where a reader that has seen everything stands. */
async function head(): Promise<Checkpoint> {
  const [row] = await database.current.query(
    `SELECT transaction_id::text AS xid, global_position::text AS position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`);
  return { transactionId: BigInt(row.xid), globalPosition: BigInt(row.position) };
}

// The read horizon is the cluster's oldest running transaction: a spec running beside this one may
// hold the last events back for a moment, so catch up until the checkpoint reaches the store's head.
async function caughtUp(projection: CatchUpProjection): Promise<number> {
  const target = await head();
  const deadline = Date.now() + 15_000;
  let read = 0;
  for (;;) {
    read += await projection.catchUp();
    if ((await loadCheckpoint(database.current.manager, 'endpoint-health')).globalPosition === target.globalPosition) return read;
    if (Date.now() > deadline) throw new Error('endpoint-health did not reach the head of the store in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the endpoint-health projection caught up from the store', () => {
  const projection = () => new CatchUpProjection(database.current, endpointHealthProjector, 4);

  it('applies what the store holds, in batches of its own event types, and saves the checkpoint past the others', async () => {
    await append([endpoint('ep_1', 0, created('ep_1')), endpoint('ep_2', 0, created('ep_2')), endpoint('ep_3', 0, created('ep_3'))]);
    await append(['dlv_1', 'dlv_2', 'dlv_3', 'dlv_4'].map((id) => delivery(id, 0, scheduled(id))));
    await append([delivery('dlv_1', 1, attempted('dlv_1', 1, 'http_5xx', 10)), delivery('dlv_3', 1, attempted('dlv_3', 1, 'http_5xx', 11))]);
    const other: NewEvent = { type: 'MessageReceived', data: { n: 1 } };
    await append([{ streamId: messageStreamId('acme', 'msg_other'), streamType: 'message', expectedVersion: 0, events: [other] }]);
    await append([delivery('dlv_2', 1, attempted('dlv_2', 1, 'gone', 12), deliveryFailed({ attempts: 1, reason: 'gone' }))]);
    await append([endpoint('ep_2', 1,
      endpointDisabled({ id: 'ep_2', reason: 'the endpoint answered 410 Gone', by: 'system' }), endpointEnabled({ id: 'ep_2', by: 'operator' }))]);
    await append([delivery('dlv_3', 2, attempted('dlv_3', 2, 'http_2xx', 13)), endpoint('ep_3', 1, endpointDeleted({ id: 'ep_3' }))]);
    await append([delivery('dlv_4', 1, attempted('dlv_4', 1, 'http_5xx', 14), deliveryFailed({ attempts: 1, reason: 'exhausted' }))]);

    expect(await rows()).toEqual([]);
    // 3 created, 5 attempted, 2 of ep_2's activation, 1 deleted: every one of them, and nothing else.
    expect(await caughtUp(projection())).toBe(11);
    expect(await rows()).toEqual([
      {
        endpoint_id: 'ep_1', active: true, consecutive_failures: 2, failing_since: ended(10), last_success_at: null, last_failure_at: ended(12),
        gone_at: ended(12),
      },
      {
        endpoint_id: 'ep_2', active: true, consecutive_failures: 0, failing_since: null, last_success_at: ended(13), last_failure_at: ended(11),
        gone_at: null,
      },
    ]);
    const [ep1, ep2]: { updated_at: Date }[] = await database.current.query(`SELECT updated_at FROM endpoint_health ORDER BY endpoint_id`);
    expect([ep1.updated_at, ep2.updated_at]).toEqual([await recordedAt(deliveryStreamId('dlv_2'), 2), await recordedAt(deliveryStreamId('dlv_3'), 3)]);
    expect(await loadCheckpoint(database.current.manager, 'endpoint-health')).toEqual(await head());
  });

  it('reads nothing on the next run, the checkpoint left where it was', async () => {
    const before = await loadCheckpoint(database.current.manager, 'endpoint-health');
    expect(await projection().catchUp()).toBe(0);
    expect(await loadCheckpoint(database.current.manager, 'endpoint-health')).toEqual(before);
  });

  it('rebuilds to the rows the live catch-up wrote (EXCEPT both ways), and the runner goes on from the rebuild without applying twice', async () => {
    // The live run reached the head of the store: every event is below the rebuild's horizon too.
    // A scratch table to compare with: only the owner may create tables.
    const owner = await database.owner();
    await owner.query(`CREATE TABLE live_endpoint_health AS SELECT * FROM endpoint_health`);
    const rebuilt = await rebuildProjection(database.current, endpointHealthProjector, { batchSize: 3 });
    expect(rebuilt.events).toBe(11);
    expect(await rowDifference(owner, 'live_endpoint_health', 'endpoint_health')).toEqual([]);
    expect(await loadCheckpoint(database.current.manager, 'endpoint-health')).toEqual(await head());

    await append([endpoint('ep_1', 1, endpointUpdated({ id: 'ep_1', changes: { description: 'still failing' } }))]);
    await append([delivery('dlv_1', 2, attempted('dlv_1', 2, 'http_5xx', 20))]);
    expect(await caughtUp(projection())).toBe(2);
    expect((await rows())[0]).toMatchObject({ endpoint_id: 'ep_1', consecutive_failures: 3, last_failure_at: ended(20) });
  });
});

import { DEFAULT_TENANT, DeliveryEvent, deliveryFailed, deliveryScheduled, deliveryStreamId, replayAggregate, replayStreamId } from '@hookledger/domain';
import { randomBytes } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AggregateRepository, deliveryAggregate, EventStore, Outbox, Replays, ReplayStatusFilter } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { DispatchRecorder, PublishedDispatch, TestInfrastructure } from '@hookledger/testing';
import { ReplayRunner } from './replay-runner';

interface Scheduler {
  readonly app: TestingModule;
  readonly runner: ReplayRunner;
  readonly replays: Replays;
  readonly aggregates: AggregateRepository;
}

let infrastructure: TestInfrastructure;
let schedulers: Scheduler[] = [];
let db: DataSource;
let dispatches: DispatchRecorder;

async function startScheduler(name: string): Promise<Scheduler> {
  const app = await infrastructure.compile({ name, providers: [Replays, ReplayRunner] });
  // Not init(): the runners' timers stay off; the tests turn the pages themselves.
  return { app, runner: app.get(ReplayRunner), replays: app.get(Replays), aggregates: app.get(AggregateRepository) };
}

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  schedulers = [await startScheduler('test-replay-a'), await startScheduler('test-replay-b')];
  db = schedulers[0].app.get(DataSource);
  dispatches = await DispatchRecorder.start(infrastructure.topology);
});

afterAll(async () => {
  await dispatches?.close();
  await infrastructure?.close();
});

async function createEndpoint(id: string): Promise<void> {
  await db.query(
    `INSERT INTO endpoints (id, url, active, version) VALUES ($1, 'https://receiver.example/hooks', true, 1)`,
    [id],
  );
}

/**
 * `count` deliveries to the endpoint, each a stream of three events (scheduled, attempted once,
 * then failed or succeeded) projected as ingest and the dispatcher leave them, backdated to
 * `ago` ago, 1 ms apart; ids sorted.
 */
async function seedDeliveries(endpointId: string, count: number, status: 'failed' | 'succeeded' = 'failed', ago = '1 hour'): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `dlv_${endpointId}_${status}_${String(i + 1).padStart(5, '0')}`);
  const attempted = (id: string): DeliveryEvent => ({
    type: 'DeliveryAttempted', schema_version: 1,
    data: {
      attempt_id: `att_${id}_1`, attempt: 1, trigger: 'scheduled', url: 'https://receiver.example/hooks', started_at: new Date().toISOString(), duration_ms: 5,
      status_code: status === 'failed' ? 500 : 200, outcome: status === 'failed' ? 'http_5xx' : 'http_2xx', error: null, response_body: null,
    },
  });
  const ended = (): DeliveryEvent => (status === 'failed'
    ? deliveryFailed({ attempts: 1, reason: 'exhausted' })
    : { type: 'DeliverySucceeded', schema_version: 1, data: { attempt: 1, status_code: 200 } });
  await db.transaction((tx) => schedulers[0].app.get(EventStore).append(tx, ids.map((id, i) => ({
    streamId: deliveryStreamId(id), streamType: deliveryAggregate.streamType, expectedVersion: 0,
    events: [deliveryScheduled({ delivery_id: id, message_id: `msg_${id}_${i}`, endpoint_id: endpointId, event_type: 'order.created' }), attempted(id), ended()]
      .map((event) => ({ type: event.type, schema_version: event.schema_version, data: event.data as Record<string, unknown>, metadata: { actor: 'test' } })),
  }))));
  await db.query(`UPDATE deliveries SET created_at = now() - $2::interval + (right(id, 5)::int) * interval '1 ms' WHERE id = ANY($1::text[])`, [ids, ago]);
  return ids.sort();
}

/** The DeliveryRequeued events on a delivery's stream, with their stream version. */
async function requeuesOf(deliveryId: string): Promise<{ version: number; replay_id: string; attempt: number }[]> {
  return db.query(
    `SELECT stream_version AS version, data->>'replay_id' AS replay_id, (data->>'attempt')::int AS attempt
       FROM events WHERE stream_id = $1 AND type = 'DeliveryRequeued' ORDER BY stream_version`,
    [deliveryStreamId(deliveryId)],
  );
}

/** Requests a replay of the endpoint's deliveries since `since` ago, as the API does: counted, then a ReplayRequested on its stream. */
async function createReplay(endpointId: string, status: ReplayStatusFilter = 'failed', since = '2 hours') {
  const [{ from, to }]: { from: Date; to: Date }[] = await db.query(`SELECT now() - $1::interval AS from, now() AS to`, [since]);
  const { replays, aggregates } = schedulers[0];
  const id = `rpl_${endpointId}_${randomBytes(3).toString('hex')}`;
  const total = await replays.countMatching({ endpoint_id: endpointId, since: from, until: to, status });
  await aggregates.handle(replayAggregate, replayStreamId(id), {
    type: 'RequestReplay',
    data: { replay_id: id, endpoint_id: endpointId, tenant_id: DEFAULT_TENANT, endpoint_active: true, since: from.toISOString(), until: to.toISOString(), status, total },
  }, { actor: 'test' });
  return (await replays.find(id))!;
}

/** Turns pages until no runner finds a running replay to claim. */
async function runAll(runner: ReplayRunner): Promise<number> {
  let pages = 0;
  while (await runner.runPage()) pages++;
  return pages;
}

async function publishedFor(replayId: string): Promise<PublishedDispatch[]> {
  return (await dispatches.published()).filter((p) => p.msgId.endsWith(`:${replayId}`));
}

describe('ReplayRunner', () => {
  it("sends each matching delivery once, as its next manual attempt, a page at a time, then completes", async () => {
    await createEndpoint('ep_page');
    await createEndpoint('ep_other');
    const failed = await seedDeliveries('ep_page', 450);
    await seedDeliveries('ep_page', 50, 'succeeded');
    await seedDeliveries('ep_other', 10);
    const replay = await createReplay('ep_page');
    expect(replay).toMatchObject({ state: 'running', total: 450, dispatched: 0 });

    expect(await runAll(schedulers[0].runner)).toBe(3);

    const sent = await publishedFor(replay.id);
    expect(sent.map((p) => p.command.delivery_id).sort()).toEqual(failed);
    // Each is requeued once on its own stream, for this replay, and dispatched at the version that left.
    expect(sent.every((p) => p.command.attempt === 2 && p.command.trigger === 'manual' && p.msgId === `${p.command.delivery_id}:v4:${replay.id}`)).toBe(true);
    for (const id of [failed[0], failed[200], failed[449]]) expect(await requeuesOf(id)).toEqual([{ version: 4, replay_id: replay.id, attempt: 2 }]);
    const requeued: { n: number }[] = await db.query(
      `SELECT count(*)::int AS n FROM events WHERE type = 'DeliveryRequeued' AND data->>'replay_id' = $1 AND metadata->>'actor' = 'system:scheduler'`, [replay.id]);
    expect(requeued[0].n).toBe(450);
    expect(await db.query(`SELECT version FROM deliveries WHERE id = ANY($1::text[]) GROUP BY version`, [failed])).toEqual([{ version: 4 }]);
    expect(await db.query(`SELECT id FROM outbox`)).toEqual([]);
    expect(await schedulers[0].replays.find(replay.id)).toMatchObject({ state: 'completed', total: 450, dispatched: 450, cursor: failed[449], created_by: 'test' });
    // The progress is history on the replay's stream, which the row is projected from.
    const stream: { type: string; data: Record<string, unknown>; actor: string }[] = await db.query(
      `SELECT type, data, metadata->>'actor' AS actor FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`replay-${replay.id}`]);
    expect(stream.map(({ type, actor }) => [type, actor])).toEqual([
      ['ReplayRequested', 'test'], ...Array(3).fill(['ReplayPageDispatched', 'system:scheduler']), ['ReplayCompleted', 'system:scheduler'],
    ]);
    expect(stream.slice(1, 4).map((e) => e.data)).toEqual([
      { cursor: failed[199], handled: 200, sent: 200 }, { cursor: failed[399], handled: 200, sent: 200 }, { cursor: failed[449], handled: 50, sent: 50 },
    ]);
  });

  it('a crash before the commit leaves nothing; one after it leaves the page in the outbox; each delivery is requeued once', async () => {
    await createEndpoint('ep_crash');
    const failed = await seedDeliveries('ep_crash', 250);
    const replay = await createReplay('ep_crash');
    const { runner, replays, app } = schedulers[0];
    const outbox = app.get(Outbox);
    const publisher = app.get(JetStreamPublisher);

    // Killed before the commit: the requeues roll back with the page, nothing was published.
    jest.spyOn(outbox, 'addCommands').mockRejectedValueOnce(new Error('killed before commit'));
    await expect(runner.runPage()).rejects.toThrow('killed before commit');
    expect(await requeuesOf(failed[0])).toEqual([]);
    expect(await publishedFor(replay.id)).toEqual([]);
    expect(await replays.find(replay.id)).toMatchObject({ state: 'running', dispatched: 0, cursor: null });

    // Killed after the commit, before publishing: the page is recorded and its commands wait in the outbox for the relay.
    jest.spyOn(publisher, 'publishMany').mockRejectedValueOnce(new Error('killed before publish'));
    await expect(runner.runPage()).rejects.toThrow('killed before publish');
    expect(await replays.find(replay.id)).toMatchObject({ state: 'running', dispatched: 200, cursor: failed[199] });
    const waiting: { id: string; payload: { delivery_id: string; attempt: number } }[] = await db.query(`SELECT id, payload FROM outbox ORDER BY id`);
    expect(waiting.map((row) => row.id)).toEqual(failed.slice(0, 200).map((id) => `${id}:v4:${replay.id}`));
    expect(waiting.every((row) => row.payload.attempt === 2)).toBe(true);
    await db.query(`DELETE FROM outbox`);

    expect(await runAll(runner)).toBe(1);
    for (const id of [failed[0], failed[199], failed[200], failed[249]]) expect(await requeuesOf(id)).toEqual([{ version: 4, replay_id: replay.id, attempt: 2 }]);
    expect((await publishedFor(replay.id)).map((p) => p.command.delivery_id)).toEqual(failed.slice(200));
    expect(await replays.find(replay.id)).toMatchObject({ state: 'completed', total: 250, dispatched: 250 });
  });

  it('runs a page again whole when the dispatcher appended to one of its deliveries in between', async () => {
    await createEndpoint('ep_race');
    const failed = await seedDeliveries('ep_race', 3);
    const replay = await createReplay('ep_race');
    const { runner, app } = schedulers[0];
    const store = app.get(EventStore);
    const load = store.loadStream.bind(store);
    let raced = false;
    // Another writer requeues the second delivery after the runner read its stream, before it appends.
    jest.spyOn(store, 'loadStream').mockImplementation(async (tx, streamId) => {
      const stream = await load(tx, streamId);
      if (!raced && streamId === deliveryStreamId(failed[1])) {
        raced = true;
        await app.get(AggregateRepository).handle(deliveryAggregate, streamId, { type: 'RequeueDelivery', data: { replay_id: null } }, { actor: 'test' });
      }
      return stream;
    });

    expect(await runAll(runner)).toBe(1);
    jest.restoreAllMocks();
    expect((await requeuesOf(failed[1])).map((r) => [r.version, r.replay_id])).toEqual([[4, null], [5, replay.id]]);
    expect(await requeuesOf(failed[0])).toEqual([{ version: 4, replay_id: replay.id, attempt: 2 }]);
    expect((await publishedFor(replay.id)).map((p) => p.msgId).sort()).toEqual([`${failed[0]}:v4:${replay.id}`, `${failed[1]}:v5:${replay.id}`, `${failed[2]}:v4:${replay.id}`]);
  });

  it('shares running replays between two schedulers without sending any delivery twice', async () => {
    const replays = [];
    const deliveries: string[] = [];
    for (const endpointId of ['ep_share_1', 'ep_share_2', 'ep_share_3']) {
      await createEndpoint(endpointId);
      deliveries.push(...(await seedDeliveries(endpointId, 300, 'succeeded')));
      replays.push(await createReplay(endpointId, 'succeeded'));
    }

    const running = async () => (await db.query(`SELECT count(*)::int AS n FROM replays WHERE state = 'running'`))[0].n as number;
    await Promise.all(schedulers.map(async ({ runner }) => {
      // No claimable replay may only mean the other scheduler holds the rest: stop when none runs.
      while ((await running()) > 0) await runAll(runner);
    }));

    const sent = (await Promise.all(replays.map((r) => publishedFor(r.id)))).flat();
    expect(sent.map((p) => p.command.delivery_id).sort()).toEqual(deliveries.sort());
    for (const replay of replays) expect(await schedulers[0].replays.find(replay.id)).toMatchObject({ state: 'completed', total: 300, dispatched: 300 });
  });

  it('holds a replay while its endpoint is paused or disabled, and closes it when the endpoint is deleted', async () => {
    await createEndpoint('ep_held');
    await seedDeliveries('ep_held', 5);
    const replay = await createReplay('ep_held');
    const { runner, replays } = schedulers[0];

    await db.query(`UPDATE endpoints SET paused = true WHERE id = 'ep_held'`);
    expect(await runner.runPage()).toBe(false);
    await db.query(`UPDATE endpoints SET paused = false, active = false WHERE id = 'ep_held'`);
    expect(await runner.runPage()).toBe(false);
    expect(await publishedFor(replay.id)).toEqual([]);
    await db.query(`UPDATE endpoints SET active = true WHERE id = 'ep_held'`);
    await runAll(runner);
    expect(await publishedFor(replay.id)).toHaveLength(5);

    const orphan = await createReplay('ep_held', 'all');
    await db.query(`UPDATE endpoints SET active = false, deleted_at = now() WHERE id = 'ep_held'`);
    await runAll(runner);
    expect(await publishedFor(orphan.id)).toEqual([]);
    expect(await replays.find(orphan.id)).toMatchObject({ state: 'completed', dispatched: 0 });
  });
});

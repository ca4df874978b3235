import { DEFAULT_TENANT, replayAggregate, replayStreamId } from '@hookledger/domain';
import { randomBytes } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AggregateRepository, Replays, ReplayStatusFilter } from '@hookledger/event-store';
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

/** `count` deliveries to the endpoint with one attempt made, created `ago` ago, 1 ms apart; ids sorted. */
async function seedDeliveries(endpointId: string, count: number, status: 'failed' | 'succeeded' = 'failed', ago = '1 hour'): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `INSERT INTO deliveries (id, message_id, endpoint_id, event_type, status, attempts, version, created_at)
     SELECT 'dlv_' || $1 || '_' || $3 || '_' || lpad(i::text, 5, '0'), 'msg_' || $1 || '_' || $3 || '_' || i, $1, 'order.created', $3, 1, 3,
            now() - $4::interval + i * interval '1 ms'
       FROM generate_series(1, $2::int) AS i
     RETURNING id`,
    [endpointId, count, status, ago],
  );
  return rows.map((row) => row.id).sort();
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
    expect(sent.every((p) => p.command.attempt === 2 && p.command.trigger === 'manual' && p.msgId === `${p.command.delivery_id}:v3:${replay.id}`)).toBe(true);
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

  it('after a crash between publish and commit, sends the same page with the same msgIDs and skips what was already re-sent', async () => {
    await createEndpoint('ep_crash');
    const failed = await seedDeliveries('ep_crash', 250);
    const replay = await createReplay('ep_crash');
    const { runner, replays, aggregates } = schedulers[0];
    const storedBefore = await dispatches.storedCount();

    // The commands of the first page reach JetStream, then the process dies before the cursor moves.
    jest.spyOn(aggregates, 'handleIn').mockRejectedValueOnce(new Error('killed before commit'));
    await expect(runner.runPage()).rejects.toThrow('killed before commit');
    expect(await publishedFor(replay.id)).toHaveLength(200);
    expect(await replays.find(replay.id)).toMatchObject({ state: 'running', dispatched: 0, cursor: null });

    // Meanwhile the dispatcher sent 50 of them: they are now succeeded, with a newer version.
    const resent = failed.slice(0, 50);
    await db.query(`UPDATE deliveries SET status = 'succeeded', attempts = 2, version = 5 WHERE id = ANY($1::text[])`, [resent]);
    await db.query(
      `INSERT INTO attempts (id, delivery_id, endpoint_id, attempt, trigger, url, started_at, duration_ms, status_code, outcome)
       SELECT 'att_' || id, id, 'ep_crash', 2, 'manual', 'https://receiver.example/hooks', now(), 5, 200, 'http_2xx' FROM unnest($1::text[]) AS id`,
      [resent],
    );

    expect(await runAll(runner)).toBe(2);

    const sent = await publishedFor(replay.id);
    const perDelivery = new Map<string, number>();
    for (const p of sent) perDelivery.set(p.command.delivery_id, (perDelivery.get(p.command.delivery_id) ?? 0) + 1);
    expect(resent.every((id) => perDelivery.get(id) === 1)).toBe(true);
    expect(failed.slice(50, 200).every((id) => perDelivery.get(id) === 2)).toBe(true);
    expect(failed.slice(200).every((id) => perDelivery.get(id) === 1)).toBe(true);
    expect(new Set(sent.map((p) => p.msgId)).size).toBe(250);
    // JetStream dropped the re-published ones: each delivery's command is stored once.
    expect((await dispatches.storedCount()) - storedBefore).toBe(250);
    expect(await replays.find(replay.id)).toMatchObject({ state: 'completed', total: 250, dispatched: 250 });
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

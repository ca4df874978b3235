import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { dispatchBatchMessageId } from '@hookledger/contracts';
import { DispatchRecorder, PublishedDispatch, TestInfrastructure } from '@hookledger/testing';
import { RetryPoller } from './retry-poller';

interface Scheduler {
  readonly app: TestingModule;
  readonly poller: RetryPoller;
}

let infrastructure: TestInfrastructure;
let schedulers: Scheduler[] = [];
let db: DataSource;
/** Every publish, so a retry sent twice shows even where JetStream's msgID dedup hides it from the stream. */
let dispatches: DispatchRecorder;

/** One scheduler instance: its own DataSource pool and NATS connection, the shared database and namespace. */
async function startScheduler(name: string): Promise<Scheduler> {
  const app = await infrastructure.compile({ name, providers: [RetryPoller], env: { HOOKS_SCHEDULER_INTERVAL_MS: '20' } });
  // Not init(): the pollers' timers stay off until a test starts the lifecycles itself.
  return { app, poller: app.get(RetryPoller) };
}

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  schedulers = [await startScheduler('test-scheduler-a'), await startScheduler('test-scheduler-b')];
  db = schedulers[0].app.get(DataSource);
  expect(schedulers[1].app.get(DataSource)).not.toBe(db);
  await db.query(`INSERT INTO endpoints (id, url, version) VALUES ('ep_retry', 'https://receiver.example/hooks', 1)`);
  dispatches = await DispatchRecorder.start(infrastructure.topology);
});

afterAll(async () => {
  await dispatches?.close();
  // Stops the pollers before their streams go away.
  await infrastructure?.close();
});

/** `count` deliveries (at stream version 3) waiting for their second attempt, due `dueIn` from now (by default a minute ago), 1 ms apart. */
async function seedDueRetries(prefix: string, count: number, dueIn = '-1 minute'): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `INSERT INTO deliveries (id, message_id, endpoint_id, event_type, status, attempts, version, due_at)
     SELECT $1 || lpad(i::text, 5, '0'), 'msg_' || $1 || i, 'ep_retry', 'order.created', 'retrying', 1, 3,
            now() + $3::interval + i * interval '1 ms'
       FROM generate_series(1, $2::int) AS i
     RETURNING id`,
    [prefix, count, dueIn],
  );
  return rows.map((row) => row.id).sort();
}

/** Due and not yet published: due_at stays as projected, a claim at the delivery's version says it was published. */
async function dueCount(): Promise<number> {
  const [{ count }]: { count: number }[] = await db.query(
    `SELECT count(*)::int AS count FROM deliveries d
      WHERE d.due_at <= now() AND NOT EXISTS (SELECT 1 FROM delivery_dispatch_claims c WHERE c.delivery_id = d.id AND c.version = d.version)`);
  return count;
}

/** Which of these deliveries the schedulers claimed (published a dispatch for) at their current version. */
async function claimed(ids: readonly string[]): Promise<{ id: string; claimed: boolean }[]> {
  return db.query(
    `SELECT d.id, c.delivery_id IS NOT NULL AS claimed
       FROM deliveries d LEFT JOIN delivery_dispatch_claims c ON c.delivery_id = d.id AND c.version = d.version
      WHERE d.id = ANY($1::text[]) ORDER BY d.id COLLATE "C"`, [ids]);
}

async function publishedWithPrefix(prefix: string): Promise<PublishedDispatch[]> {
  return (await dispatches.published()).filter((p) => p.command.delivery_id.startsWith(prefix));
}

/** Polls until nothing is due; returns how many this instance published. */
async function drain(poller: RetryPoller, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let total = 0;
  for (;;) {
    const claimed = await poller.publishDue();
    total += claimed;
    // Nothing claimable now may just mean the other instance holds the rest: stop only when nothing is due.
    if (claimed === 0 && (await dueCount()) === 0) return total;
    if (Date.now() > deadline) throw new Error(`${await dueCount()} retries still due after ${timeoutMs} ms`);
  }
}

/** Re-checks a condition the pollers settle on their own timers. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function expectExactlyOnce(sent: readonly PublishedDispatch[], deliveryIds: readonly string[]): void {
  const ids = sent.map((p) => p.command.delivery_id).sort();
  const twice = ids.filter((id, i) => ids[i - 1] === id);
  expect(twice).toEqual([]);
  expect(ids).toEqual(deliveryIds);
  expect(sent.every((p) => p.command.attempt === 2 && p.command.trigger === 'scheduled' && p.batch !== undefined)).toBe(true);
  // Each poll's batch is one v2 command, keyed by its deliveries at their stream versions.
  const commands = new Map<string, PublishedDispatch[]>();
  for (const p of sent) commands.set(p.msgId, [...(commands.get(p.msgId) ?? []), p]);
  for (const [msgId, deliveries] of commands) {
    expect(msgId).toBe(dispatchBatchMessageId(deliveries.map((p) => ({ id: p.command.delivery_id, version: 3 }))));
    expect(deliveries.every((p) => p.batch === deliveries.length)).toBe(true);
  }
}

describe('two scheduler instances polling the same retries', () => {
  it('publish every due retry exactly once between them, as attempt 2', async () => {
    const deliveryIds = await seedDueRetries('dlv_race_', 2000);

    const perInstance = await Promise.all(schedulers.map(({ poller }) => drain(poller)));

    console.info(`retries published per instance: ${perInstance.join(' + ')} = ${perInstance[0] + perInstance[1]}`);
    expectExactlyOnce(await publishedWithPrefix('dlv_race_'), deliveryIds);
    expect(perInstance[0] + perInstance[1]).toBe(2000);
    expect((await dispatches.stored()).filter((c) => c.delivery_id.startsWith('dlv_race_'))).toHaveLength(2000);
    expect((await claimed(deliveryIds)).every((row) => row.claimed)).toBe(true);
  });

  it('leave a retry due in the future alone, and claim the ones they publish at their stream version', async () => {
    const due = await seedDueRetries('dlv_due_', 3);
    const future = await seedDueRetries('dlv_future_', 1, '1 hour');
    const [{ poller }] = schedulers;

    expect(await poller.publishDue()).toBe(3);
    expect(await poller.publishDue()).toBe(0);

    expectExactlyOnce(await publishedWithPrefix('dlv_due_'), due);
    expect(await publishedWithPrefix('dlv_future_')).toEqual([]);
    expect(await claimed([...due, ...future])).toEqual([...due.map((id) => ({ id, claimed: true })), { id: future[0], claimed: false }]);
  });

  it('drain due retries on their own once both applications are started', async () => {
    await Promise.all(schedulers.map(({ app }) => app.init()));

    // More than one poll's batch (500): a full batch makes a poller go again at once.
    const deliveryIds = await seedDueRetries('dlv_live_', 1200);
    await waitFor(async () => (await dueCount()) === 0);

    expectExactlyOnce(await publishedWithPrefix('dlv_live_'), deliveryIds);
    expect(await publishedWithPrefix('dlv_future_')).toEqual([]);
  });
});

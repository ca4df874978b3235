import type { DataSource } from 'typeorm';
import { openDataSource, TestSystem, WebhookReceiver } from '@hookledger/testing';
import type { ApiAnswer } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * Crash safety: "nothing accepted with 202 is ever lost, whichever process dies when". The
 * dispatcher, ingest and the scheduler are each SIGKILLed while thousands of events are in flight
 * and restarted; every accepted event must then reach every endpoint at least once, and the
 * ledger must show every delivery succeeded. Duplicate sends are allowed (at-least-once; the
 * receiver dedups on webhook-id) and counted. Most of the run is JetStream's ack_wait (60 s for
 * the dispatcher): the commands the killed dispatcher held come back only after it.
 */
const BATCH_SIZE = 500;
const PATHS = ['/crash/a', '/crash/b'];
/** Short, so that what failed around a crash is retried within seconds. */
const RETRY_SCHEDULE = [1, 1, 2, 3, 5];
/** Every 7th event is refused (500) the first time an endpoint sees it: the scheduler has retries in flight when it dies. */
const refusedFirst = (i: number) => i % 7 === 0;

/** Per (endpoint, webhook-id): the sends the receiver refused on purpose and the ones it answered 200. */
interface Tally {
  refused: number;
  ok: number;
}

interface ListedDelivery {
  readonly id: string;
  readonly event_id: string;
  readonly endpoint_id: string;
  readonly status: string;
  readonly attempts: number;
}

describe('crash safety, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: DataSource;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // A circuit opening mid-test would only slow it down (held deliveries wait for a probe); keep it out of the picture.
    system = await TestSystem.start({ env: { HOOKS_CIRCUIT_CONSECUTIVE_FAILURES: '100000', HOOKS_CIRCUIT_MIN_REQUESTS: '100000' } });
    db = await openDataSource(system.database, 1);
  });

  afterAll(async () => {
    await db?.destroy();
    await system?.stop();
    await receiver?.close();
  });

  const count = async (sql: string): Promise<number> => Number((await db.query(sql))[0].count);
  const storedMessages = () => count(`SELECT count(*) FROM messages`);
  const waitingRetries = () => count(`SELECT count(*) FROM deliveries WHERE due_at IS NOT NULL`);
  const overdueRetries = () => count(`SELECT count(*) FROM deliveries WHERE due_at <= now()`);
  /** The retry poller between claiming due rows and committing: it is publishing their dispatch commands. */
  const schedulerClaimingRetries = () => count(
    `SELECT count(*) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'hookledger-scheduler'
        AND state = 'idle in transaction' AND query ILIKE '%from deliveries%for update%'`,
  );

  /** Every delivery with this status, following next_cursor. */
  async function deliveriesWithStatus(status: string): Promise<ListedDelivery[]> {
    const all: ListedDelivery[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiAnswer<{ data: ListedDelivery[]; next_cursor: string | null }> = await system.request('GET', `/v1/deliveries?status=${status}&limit=250${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      all.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    return all;
  }

  it('delivers every accepted event while the dispatcher, ingest and the scheduler are SIGKILLed and restarted under load', async () => {
    const started = Date.now();
    const tallies = new Map<string, Tally>();
    let deliveredPairs = 0;
    for (const path of PATHS) {
      const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: ['crash.tested'], retry_schedule: RETRY_SCHEDULE } });
      expect(endpoint.status).toBe(201);
      receiver.answer(path, (request) => {
        const key = `${path} ${String(request.headers['webhook-id'])}`;
        const tally = tallies.get(key) ?? { refused: 0, ok: 0 };
        tallies.set(key, tally);
        if (refusedFirst(JSON.parse(request.body).data.i) && tally.refused === 0) {
          tally.refused++;
          return { status: 500, body: 'not yet', delayMs: 5 };
        }
        if (tally.ok++ === 0) deliveredPairs++;
        // A small delay keeps sends in flight when the dispatcher dies.
        return { status: 200, delayMs: 5 };
      });
    }

    const accepted: string[] = [];
    let nextIndex = 0;
    const publishBatch = async () => {
      const events = Array.from({ length: BATCH_SIZE }, () => ({ type: 'crash.tested', data: { i: nextIndex++ } }));
      const answer = await system.request('POST', '/v1/events/batch', { body: { events } });
      expect(answer.status).toBe(202);
      accepted.push(...answer.body.data.map((event: { id: string }) => event.id));
    };
    const expectedPairs = () => accepted.length * PATHS.length;

    // 1. The dispatcher dies mid-send; a batch is accepted while none runs.
    await publishBatch();
    await publishBatch();
    await receiver.waitFor((requests) => requests.length >= 300, 60_000, '300 sends before killing the dispatcher');
    await system.kill('dispatcher');
    const atDispatcherKill = { delivered: deliveredPairs, of: expectedPairs() };
    expect(atDispatcherKill.delivered).toBeLessThan(atDispatcherKill.of);
    await publishBatch();
    await system.startApp('dispatcher');

    // 2. Ingest dies as soon as it has committed part of two batches, while it stores and fans out the rest.
    const storedBefore = await storedMessages();
    const publishing = Promise.all([publishBatch(), publishBatch()]);
    // Polled tightly (not eventually()'s 100 ms) so the kill lands right after the first commit.
    for (const deadline = Date.now() + 30_000; (await storedMessages()) === storedBefore; ) {
      if (Date.now() > deadline) throw new Error('ingest stored nothing of the new batches within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await system.kill('ingest');
    const storedAtIngestKill = await storedMessages();
    await publishing;
    const atIngestKill = { stored: storedAtIngestKill, accepted: accepted.length, delivered: deliveredPairs, of: expectedPairs() };
    expect(atIngestKill.delivered).toBeLessThan(atIngestKill.of);
    expect(atIngestKill.stored).toBeLessThan(atIngestKill.accepted);
    await system.startApp('ingest');

    // 3. The scheduler dies with retries waiting — inside the retry poller's transaction if we catch
    // it there within a few seconds — and stays dead until some are overdue.
    await publishBatch();
    await eventually(async () => ((await waitingRetries()) >= 20 ? true : undefined), 'retries waiting for the scheduler', 60_000);
    let claiming = false;
    for (const deadline = Date.now() + 5_000; !claiming && Date.now() < deadline; ) claiming = (await schedulerClaimingRetries()) > 0;
    await system.kill('scheduler');
    const atSchedulerKill = { waiting: await waitingRetries(), claiming, delivered: deliveredPairs, of: expectedPairs() };
    expect(atSchedulerKill.delivered).toBeLessThan(atSchedulerKill.of);
    await eventually(async () => ((await overdueRetries()) > 0 ? true : undefined), 'retries to fall due with no scheduler', 30_000);
    await system.startApp('scheduler');

    // Every accepted event reaches every endpoint at least once: nothing accepted is lost.
    const missingPairs = () => accepted.flatMap((id) => PATHS.filter((path) => !tallies.get(`${path} ${id}`)?.ok).map((path) => `${path} ${id}`));
    try {
      await receiver.waitFor(() => deliveredPairs >= expectedPairs(), 150_000, `${expectedPairs()} deliveries`);
    } catch (error) {
      const missing = missingPairs();
      const sample = await Promise.all(missing.slice(0, 5).map(async (key) => {
        const answer = await system.request('GET', `/v1/deliveries?event_id=${encodeURIComponent(key.split(' ')[1])}`);
        return `${key}: ${JSON.stringify(answer.body.data)}`;
      }));
      throw new Error(`${missing.length} of ${expectedPairs()} deliveries never arrived (${String(error)}); e.g.\n${sample.join('\n')}`);
    }

    expect(missingPairs()).toEqual([]);

    // The ledger agrees: every delivery ends succeeded, none is left pending, retrying or failed.
    const succeeded = await eventually(async () => {
      const found = await deliveriesWithStatus('succeeded');
      return found.length === expectedPairs() ? found : undefined;
    }, `${expectedPairs()} succeeded deliveries`, 30_000);
    expect(new Set(succeeded.map((delivery) => delivery.event_id))).toEqual(new Set(accepted));
    for (const status of ['pending', 'retrying', 'failed']) expect(await deliveriesWithStatus(status)).toEqual([]);

    const tallied = [...tallies.values()];
    const duplicates = tallied.reduce((sum, tally) => sum + Math.max(tally.ok - 1, 0), 0);
    const refused = tallied.reduce((sum, tally) => sum + tally.refused, 0);
    const sends = PATHS.reduce((sum, path) => sum + receiver.received(path).length, 0);
    expect(sends).toBe(expectedPairs() + refused + duplicates);
    console.log(
      `crash safety: ${accepted.length} events accepted, ${expectedPairs()} deliveries to ${PATHS.length} endpoints, ` +
        `${deliveredPairs} delivered (0 lost), ${sends} sends (${refused} refused with 500 on purpose), ${duplicates} duplicate sends; ` +
        `killed dispatcher at ${atDispatcherKill.delivered}/${atDispatcherKill.of} delivered, ` +
        `ingest at ${atIngestKill.stored}/${atIngestKill.accepted} stored, scheduler with ${atSchedulerKill.waiting} retries waiting${atSchedulerKill.claiming ? ' (mid-claim)' : ''}; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 300_000);
});

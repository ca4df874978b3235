import type { DataSource, QueryRunner } from 'typeorm';
import { ConcurrencyError, EventStore, NewEvent, StreamAppend } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, TestDatabase, waitUntilBlocked } from '@hookledger/testing';

// The store alone: these specs append placeholder event data that no projector could read.
const store = new EventStore([]);
let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 12);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const attempted = (attempt: number): NewEvent => ({ type: 'DeliveryAttempted', data: { attempt } });

function append(appends: StreamAppend[]) {
  return db.transaction((tx) => store.append(tx, appends));
}

function delivery(streamId: string, expectedVersion: number | null, events: NewEvent[]): StreamAppend {
  return { streamId, streamType: 'delivery', expectedVersion, events };
}

async function storedVersions(streamId: string): Promise<{ stream_version: number; data: unknown }[]> {
  return db.query(`SELECT stream_version, data FROM events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
}

async function openTransaction(): Promise<QueryRunner> {
  const runner = db.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  return runner;
}

async function close(runner: QueryRunner): Promise<void> {
  if (runner.isTransactionActive) await runner.rollbackTransaction();
  await runner.release();
}

describe('appending to many streams in one call', () => {
  it('answers in input order with per-stream versions that continue where each stream stood', async () => {
    await append([delivery('delivery-a', 0, [attempted(1)])]);

    const appended = await append([
      delivery('delivery-z', 0, [attempted(1), attempted(2)]),
      delivery('delivery-a', 1, [attempted(2), attempted(3), attempted(4)]),
      { streamId: 'endpoint-m', streamType: 'endpoint', expectedVersion: null, events: [{ type: 'EndpointCreated', data: {} }] },
    ]);

    expect(appended.map((e) => [e.streamId, e.streamVersion])).toEqual([
      ['delivery-z', 1], ['delivery-z', 2],
      ['delivery-a', 2], ['delivery-a', 3], ['delivery-a', 4],
      ['endpoint-m', 1],
    ]);
    expect(appended.map((e) => e.globalPosition)).toEqual(appended.map((_, i) => appended[0].globalPosition + BigInt(i)));

    const stored: { global_position: string; stream_id: string; stream_version: number }[] = await db.query(
      `SELECT global_position, stream_id, stream_version FROM events WHERE global_position >= $1 ORDER BY global_position`,
      [appended[0].globalPosition.toString()],
    );
    expect(stored.map((row) => [BigInt(row.global_position), row.stream_id, row.stream_version])).toEqual(
      appended.map((e) => [e.globalPosition, e.streamId, e.streamVersion]),
    );
    expect(await storedVersions('delivery-a')).toEqual([1, 2, 3, 4].map((n) => ({ stream_version: n, data: { attempt: n } })));
    const streams = await db.query(`SELECT stream_id, type, version FROM streams WHERE stream_id <> 'tenant-default' ORDER BY stream_id`);
    expect(streams).toEqual([
      { stream_id: 'delivery-a', type: 'delivery', version: 4 },
      { stream_id: 'delivery-z', type: 'delivery', version: 2 },
      { stream_id: 'endpoint-m', type: 'endpoint', version: 1 },
    ]);
  });
});

describe('the hash chains an append extends', () => {
  it('chains every stream of a many-stream append from its head, and leaves the head at its last event', async () => {
    await append([delivery('delivery-chain-1', 0, [attempted(1)]), delivery('delivery-chain-2', 0, [attempted(1), attempted(2)])]);
    await append([
      delivery('delivery-chain-3', 0, [attempted(1)]),
      delivery('delivery-chain-1', 1, [attempted(2), attempted(3)]),
      delivery('delivery-chain-2', 2, [attempted(3)]),
    ]);
    const heads: { stream_id: string; version: number; broken: number | null; head_matches: boolean }[] = await db.query(
      `SELECT s.stream_id, s.version, hl_verify_stream(s.stream_id) AS broken,
              s.last_hash = (SELECT e.hash FROM events e WHERE e.stream_id = s.stream_id ORDER BY e.stream_version DESC LIMIT 1) AS head_matches
         FROM streams s WHERE s.stream_id LIKE 'delivery-chain-%' ORDER BY s.stream_id`);
    expect(heads).toEqual([
      { stream_id: 'delivery-chain-1', version: 3, broken: null, head_matches: true },
      { stream_id: 'delivery-chain-2', version: 3, broken: null, head_matches: true },
      { stream_id: 'delivery-chain-3', version: 1, broken: null, head_matches: true },
    ]);
  });

  it('refuses an event for a stream that is neither appended to nor known, writing nothing', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM events`);
    await expect(db.query(
      `SELECT * FROM hl_append_events(ARRAY['delivery-listed'], ARRAY['delivery'], ARRAY[0], ARRAY['delivery-listed', 'delivery-unlisted'],
                                      ARRAY['DeliveryAttempted', 'DeliveryAttempted'], ARRAY[1, 1]::smallint[], ARRAY['{}', '{}']::jsonb[], ARRAY['{}', '{}']::jsonb[])`,
    )).rejects.toMatchObject({ code: '22023', message: expect.stringContaining('delivery-unlisted') });
    expect(await db.query(`SELECT count(*)::int AS n FROM events`)).toEqual(before);
  });
});

describe('expected versions', () => {
  it('refuses a stale expected version: nothing is written and no global position is used up', async () => {
    const [before] = await append([delivery('delivery-b', 0, [attempted(1)])]);

    const refused = append([delivery('delivery-fresh', 0, [attempted(1)]), delivery('delivery-b', 0, [attempted(2)])]);

    await expect(refused).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(refused).rejects.toMatchObject({ streamId: 'delivery-b' });
    expect(await storedVersions('delivery-fresh')).toEqual([]);
    expect(await db.query(`SELECT version FROM streams WHERE stream_id IN ('delivery-b', 'delivery-fresh')`)).toEqual([{ version: 1 }]);
    const [after] = await append([delivery('delivery-b', 1, [attempted(2)])]);
    expect(after.globalPosition).toBe(before.globalPosition + 1n);
  });

  it.each([
    ['a new stream', 0],
    ['an existing stream', 1],
  ])('lets only the first of two appends at the same expected version win, even while it waits on the lock (%s)', async (_, expectedVersion) => {
    const streamId = `delivery-race-${expectedVersion}`;
    if (expectedVersion > 0) await append([delivery(streamId, 0, [attempted(0)])]);
    const first = await openTransaction();
    const second = await openTransaction();
    try {
      await store.append(first.manager, [delivery(streamId, expectedVersion, [{ type: 'DeliverySucceeded', data: {} }])]);
      const [{ pid }] = await second.query(`SELECT pg_backend_pid() AS pid`);
      const late = store.append(second.manager, [delivery(streamId, expectedVersion, [{ type: 'DeliveryFailed', data: {} }])]);
      late.catch(() => undefined);

      await waitUntilBlocked(db, pid);
      await first.commitTransaction();

      await expect(late).rejects.toBeInstanceOf(ConcurrencyError);
    } finally {
      await close(first);
      await close(second);
    }
    const types = await db.query(`SELECT stream_version, type FROM events WHERE stream_id = $1 AND stream_version > $2`, [streamId, expectedVersion]);
    expect(types).toEqual([{ stream_version: expectedVersion + 1, type: 'DeliverySucceeded' }]);
  });

  it('lets exactly one of many racing appends at the same expected version win', async () => {
    const racers = Array.from({ length: 8 }, (_, i) => append([delivery('delivery-crowd', 0, [attempted(i)])]));

    const outcomes = await Promise.allSettled(racers);

    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(7);
    losers.forEach((reason) => expect(reason).toBeInstanceOf(ConcurrencyError));
    expect(await storedVersions('delivery-crowd')).toHaveLength(1);
  });
});

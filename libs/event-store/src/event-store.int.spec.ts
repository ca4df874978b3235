import type { DataSource, QueryRunner } from 'typeorm';
import { ConcurrencyError, EventStore, NewEvent, StreamAppend } from '@hookledger/event-store';
import { canonicalJsonb } from '@hookledger/ledger';
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

describe('the chain digests the app computes', () => {
  // What JSON.stringify and a naive canonical text would write differently from jsonb::text.
  const AWKWARD: Record<string, unknown>[] = [
    { floats: [0.1, 1.5, -2.25, 1 / 3, 1e21, 1e-7, 1.5e-7, 5e-324, 1.7976931348623157e308, -0, 123456789.123456789] },
    { big: [Number.MAX_SAFE_INTEGER + 2, 12345678901234567000, -9007199254740993], nonFinite: [NaN, Infinity] },
    { text: 'quote " backslash \\ controls \b\f\n\r\t \u0001 \u001f \u007f', unicode: 'é 日本 😀 \u2028 \ufeff' },
    { b: { z: 1, a: { '': [], aa: {}, é: 'x', 日本: 2, '😀': 3, ｚ: 4 } }, a: [{ y: 1, x: [{}] }], 10: 1, 9: 2 },
    {},
    { skipped: undefined, list: [undefined, null], when: new Date(Date.UTC(2026, 10, 30, 6, 0, 0, 123)) },
  ];

  async function recomputed(streamId: string) {
    return db.query(
      `SELECT e.stream_version, e.data::text AS data,
              e.hash = hl_event_digest(p.hash, e.stream_id, e.stream_version, e.type, e.schema_version, e.data, e.metadata, e.recorded_at) AS holds
         FROM events e LEFT JOIN events p ON p.stream_id = e.stream_id AND p.stream_version = e.stream_version - 1
        WHERE e.stream_id = $1 ORDER BY e.stream_version`, [streamId]);
  }

  it('equal hl_event_digest recomputed in SQL, for awkward data, across multi-event streams and appends', async () => {
    const events = AWKWARD.map((data, i): NewEvent => ({ type: 'DeliveryAttempted', schema_version: (i % 3) + 1, data, metadata: { actor: 'system:test', tenant_id: 't', n: i + 0.1, nested: data } }));
    await append([delivery('delivery-awkward-1', 0, events.slice(0, 3)), delivery('delivery-awkward-2', null, events.slice(3))]);
    await append([delivery('delivery-awkward-1', 3, events.slice(3)), delivery('delivery-awkward-3', 0, [])]);

    const first = await recomputed('delivery-awkward-1');
    expect(first.map((row: { holds: boolean }) => row.holds)).toEqual([true, true, true, true, true, true]);
    expect(first.map((row: { data: string }) => row.data)).toEqual(AWKWARD.map((data) => canonicalJsonb(data)));
    expect((await recomputed('delivery-awkward-2')).map((row: { holds: boolean }) => row.holds)).toEqual([true, true, true]);
    const heads = await db.query(
      `SELECT s.stream_id, s.version, hl_verify_stream(s.stream_id) AS broken,
              s.last_hash IS NOT DISTINCT FROM (SELECT e.hash FROM events e WHERE e.stream_id = s.stream_id ORDER BY e.stream_version DESC LIMIT 1) AS head_matches
         FROM streams s WHERE s.stream_id LIKE 'delivery-awkward-%' ORDER BY s.stream_id`);
    expect(heads).toEqual([
      { stream_id: 'delivery-awkward-1', version: 6, broken: null, head_matches: true },
      { stream_id: 'delivery-awkward-2', version: 3, broken: null, head_matches: true },
      { stream_id: 'delivery-awkward-3', version: 0, broken: null, head_matches: true },
    ]);
  });

  it('opens its own transaction when given none, so the heads it hashed from stay locked until it writes', async () => {
    await store.append(db.manager, [delivery('delivery-untransacted', 0, [attempted(1), attempted(2)])]);

    expect((await recomputed('delivery-untransacted')).map((row: { holds: boolean }) => row.holds)).toEqual([true, true]);
  });

  it('is refused by Postgres for text jsonb refuses (a lone surrogate), as JSON.stringify\'s text was', async () => {
    await expect(append([delivery('delivery-surrogate', 0, [{ type: 'DeliveryAttempted', data: { text: 'a\ud800b' } }])])).rejects.toMatchObject({ code: '22P02' });
    expect(await storedVersions('delivery-surrogate')).toEqual([]);
  });
});

describe('hl_append_chained, called other than by EventStore.append', () => {
  const heads = (tx: QueryRunner, ids: string[]) =>
    tx.query(`SELECT stream_ids, versions, last_hashes, now_us FROM hl_append_heads($1, '{}', '{}')`, [ids]).then(([row]) => row);
  const chained = (tx: QueryRunner, stream: { prev: number; version: number; isNew: boolean }, eventVersions: number[], recordedUs: string) =>
    tx.query(
      `SELECT * FROM hl_append_chained($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb[], $12::jsonb[], $13, $14)`,
      [['delivery-direct'], ['delivery'], [stream.prev], [stream.version], [Buffer.alloc(32)], [stream.isNew],
        eventVersions.map(() => 'delivery-direct'), eventVersions, eventVersions.map(() => 'DeliveryAttempted'), eventVersions.map(() => 1),
        eventVersions.map(() => '{}'), eventVersions.map(() => '{}'), eventVersions.map(() => Buffer.alloc(32)), recordedUs],
    );

  it('refuses (HL409) a head that is not where it was read, a time not the transaction\'s, and versions that do not fill the range', async () => {
    await append([delivery('delivery-direct', 0, [attempted(1)])]);
    const tx = await openTransaction();
    try {
      const { now_us: nowUs } = await heads(tx, ['delivery-direct']);
      await tx.query('SAVEPOINT s');
      await expect(chained(tx, { prev: 0, version: 1, isNew: false }, [1], nowUs)).rejects.toMatchObject({ code: 'HL409', detail: 'delivery-direct' });
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await expect(chained(tx, { prev: 1, version: 2, isNew: false }, [2], String(BigInt(nowUs) + 1n))).rejects.toMatchObject({ code: '22023' });
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await expect(chained(tx, { prev: 1, version: 2, isNew: false }, [3], nowUs)).rejects.toMatchObject({ code: '22023' });
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await expect(chained(tx, { prev: 1, version: 3, isNew: false }, [2], nowUs)).rejects.toMatchObject({ code: '22023' });
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await expect(chained(tx, { prev: 0, version: 1, isNew: true }, [1], nowUs)).rejects.toMatchObject({ code: 'HL409', detail: 'delivery-direct' });
    } finally {
      await close(tx);
    }
    expect(await storedVersions('delivery-direct')).toHaveLength(1);
  });
});

import type { DataSource, QueryRunner } from 'typeorm';
import {
  AppendedEvent, Checkpoint, EventReader, EventStore, loadCheckpoint, NewEvent, RecordedEvent, saveCheckpoint, StreamAppend, ZERO_CHECKPOINT,
} from '@hookledger/event-store';
import { createTestDatabase, openDataSource, TestDatabase } from '@hookledger/testing';

// The store alone: these specs append made-up MessageReceived data no projector could read.
const store = new EventStore([]);
const reader = new EventReader();
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

const received = (n: number): NewEvent => ({ type: 'MessageReceived', data: { n }, metadata: { actor: 'key_1' } });

function message(streamId: string, expectedVersion: number, events: NewEvent[]): StreamAppend {
  return { streamId, streamType: 'message', expectedVersion, events };
}

function append(appends: StreamAppend[]): Promise<AppendedEvent[]> {
  return db.transaction((tx) => store.append(tx, appends));
}

/** Just past every stored event; valid only while none of this file's transactions is open. */
async function headCheckpoint(): Promise<Checkpoint> {
  const [row] = await db.query(
    `SELECT transaction_id::text AS xid, global_position::text AS position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return row ? { transactionId: BigInt(row.xid), globalPosition: BigInt(row.position) } : ZERO_CHECKPOINT;
}

// The reader's horizon is the cluster-wide oldest running transaction, so a transaction in some
// other database (another spec running in parallel) may hold events back for a moment: keep
// reading until `count` events arrived rather than expecting them in a single read.
async function readUntil(from: Checkpoint, count: number, limit = 100): Promise<{ events: RecordedEvent[]; checkpoint: Checkpoint }> {
  const deadline = Date.now() + 15_000;
  const events: RecordedEvent[] = [];
  let checkpoint = from;
  while (events.length < count) {
    if (Date.now() > deadline) throw new Error(`read ${events.length} of ${count} events before the deadline`);
    const batch = await reader.read(db.manager, checkpoint, limit);
    events.push(...batch.events);
    checkpoint = batch.checkpoint;
  }
  return { events, checkpoint };
}

const positions = (events: readonly { globalPosition: bigint }[]) => events.map((e) => e.globalPosition);

describe('catch-up reading while transactions commit out of order', () => {
  let late: QueryRunner;

  beforeEach(async () => {
    late = db.createQueryRunner();
    await late.connect();
    await late.startTransaction();
  });

  afterEach(async () => {
    if (late.isTransactionActive) await late.rollbackTransaction();
    await late.release();
  });

  it.each([
    ['the late transaction appended first', false],
    ['the late transaction took its id first but appended after', true],
  ])('never skips an event committed late (%s)', async (_, takesIdFirst) => {
    const from = await headCheckpoint();
    if (takesIdFirst) await late.query(`SELECT pg_current_xact_id()`);
    const lateAppend = () => store.append(late.manager, [message(`message-late-${takesIdFirst}`, 0, [received(1), received(2)])]);
    let lateEvents = takesIdFirst ? [] : await lateAppend();
    const committed = await append([message(`message-early-${takesIdFirst}`, 0, [received(3)])]);
    if (takesIdFirst) lateEvents = await lateAppend();

    const whileOpen = await reader.read(db.manager, from, 100);
    expect(whileOpen.events).toEqual([]);
    expect(whileOpen.checkpoint).toEqual(from);
    await saveCheckpoint(db.manager, `late-${takesIdFirst}`, whileOpen.checkpoint);

    await late.commitTransaction();

    const resumed = await readUntil(await loadCheckpoint(db.manager, `late-${takesIdFirst}`), 3);
    expect(positions(resumed.events)).toEqual([...positions(lateEvents), ...positions(committed)]);
    expect(resumed.events.map((e) => [e.type, e.data, e.metadata])).toEqual(
      [1, 2, 3].map((n) => ['MessageReceived', { n }, { actor: 'key_1' }]),
    );
    expect((await reader.read(db.manager, resumed.checkpoint, 100)).events).toEqual([]);
  });

  it('moves on past a transaction that rolled back', async () => {
    const from = await headCheckpoint();
    await store.append(late.manager, [message('message-abandoned', 0, [received(1)])]);
    const committed = await append([message('message-kept', 0, [received(2)])]);
    expect((await reader.read(db.manager, from, 100)).events).toEqual([]);

    await late.rollbackTransaction();

    const resumed = await readUntil(from, 1);
    expect(positions(resumed.events)).toEqual(positions(committed));
    expect(resumed.events[0]).toMatchObject({ streamId: 'message-kept', streamVersion: 1, schema_version: 1 });
    expect(resumed.events[0].recordedAt).toBeInstanceOf(Date);
  });
});

describe('reading in pages from a stored checkpoint', () => {
  it('hands every event to a paging reader exactly once while writers keep appending', async () => {
    const writers = 6;
    const appendsPerWriter = 8;
    const total = writers * appendsPerWriter * 2;
    await saveCheckpoint(db.manager, 'pager', await headCheckpoint());
    const writing = Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          await append([message(`message-pages-${w}`, 2 * i, [received(2 * i + 1), received(2 * i + 2)])]);
        }
      }),
    );

    // Each page as a projector handles it: load the stored checkpoint, read, save, in one transaction.
    const seen: RecordedEvent[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < total && Date.now() < deadline) {
      await db.transaction(async (tx) => {
        const batch = await reader.read(tx, await loadCheckpoint(tx, 'pager'), 5);
        seen.push(...batch.events);
        await saveCheckpoint(tx, 'pager', batch.checkpoint);
      });
    }
    await writing;

    const written: { global_position: string }[] = await db.query(
      `SELECT global_position FROM events WHERE stream_id LIKE 'message-pages-%' ORDER BY global_position`,
    );
    expect(positions(seen).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(written.map((row) => BigInt(row.global_position)));
    for (let w = 0; w < writers; w++) {
      const versions = seen.filter((e) => e.streamId === `message-pages-${w}`).map((e) => e.streamVersion);
      expect(versions).toEqual(Array.from({ length: appendsPerWriter * 2 }, (_, i) => i + 1));
    }
    expect((await reader.read(db.manager, await loadCheckpoint(db.manager, 'pager'), 5)).events).toEqual([]);
  });

  it('resumes after a restart from the checkpoint it saved, on a new connection pool', async () => {
    const from = await headCheckpoint();
    const appended = await append([message('message-restart', 0, [1, 2, 3, 4, 5].map(received))]);
    const firstRun = await readUntil(from, 2, 2);
    await saveCheckpoint(db.manager, 'restarting', firstRun.checkpoint);

    const restarted = await openDataSource(database, 1);
    try {
      const stored = await loadCheckpoint(restarted.manager, 'restarting');
      expect(stored).toEqual(firstRun.checkpoint);
      const secondRun = await reader.read(restarted.manager, stored, 100);
      expect(positions([...firstRun.events, ...secondRun.events])).toEqual(positions(appended));
    } finally {
      await restarted.destroy();
    }
  });
});

describe('reading only some event types', () => {
  const counted = (n: number): NewEvent => ({ type: 'ThingCounted', data: { n } });
  const ignored = (n: number): NewEvent => ({ type: 'ThingIgnored', data: { n } });
  const thing = (streamId: string, expectedVersion: number, events: NewEvent[]): StreamAppend => ({ streamId, streamType: 'thing', expectedVersion, events });
  const TYPES = ['ThingCounted'];

  /** Resolves once every stored event is below the read horizon, so a read sees all of them at once. */
  async function belowHorizon(): Promise<Checkpoint> {
    const head = await headCheckpoint();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [row] = await db.query(`SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS below`, [head.transactionId.toString()]);
      if (row.below) return head;
      if (Date.now() > deadline) throw new Error('the horizon did not pass the last event in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('hands over only those types, and moves past the others to the last event below the horizon', async () => {
    const from = await headCheckpoint();
    const appended = await append([thing('thing-filtered-1', 0, [ignored(1), counted(2), ignored(3)]), thing('thing-filtered-2', 0, [ignored(4)])]);
    const head = await belowHorizon();

    const batch = await reader.read(db.manager, from, 10, TYPES);
    expect(batch.events.map((e) => [e.type, e.data, e.streamId, e.streamVersion])).toEqual([['ThingCounted', { n: 2 }, 'thing-filtered-1', 2]]);
    expect(positions(batch.events)).toEqual([appended[1].globalPosition]);
    expect(batch.checkpoint).toEqual(head);
    expect(await reader.read(db.manager, batch.checkpoint, 10, TYPES)).toEqual({ events: [], checkpoint: head });
  });

  it('moves past a stretch of other types alone, and stays put when nothing new is visible', async () => {
    const from = await headCheckpoint();
    await append([thing('thing-filtered-3', 0, [ignored(1), ignored(2)])]);
    const head = await belowHorizon();
    expect(await reader.read(db.manager, from, 10, TYPES)).toEqual({ events: [], checkpoint: head });
    expect(await reader.read(db.manager, head, 10, TYPES)).toEqual({ events: [], checkpoint: head });
  });

  it('reads a full batch of exactly `limit` events, resuming after the last one, then the rest and the horizon', async () => {
    const from = await headCheckpoint();
    const appended = await append([thing('thing-filtered-4', 0, [1, 2, 3, 4, 5, 6, 7].flatMap((n) => [counted(n), ignored(n)]))]);
    const matching = appended.filter((_, i) => i % 2 === 0).map((e) => e.globalPosition);
    const head = await belowHorizon();

    const first = await reader.read(db.manager, from, 3, TYPES);
    expect(positions(first.events)).toEqual(matching.slice(0, 3));
    expect(first.checkpoint).toEqual({ transactionId: head.transactionId, globalPosition: matching[2] });
    const second = await reader.read(db.manager, first.checkpoint, 3, TYPES);
    expect(positions(second.events)).toEqual(matching.slice(3, 6));
    expect(second.checkpoint.globalPosition).toBe(matching[5]);
    const third = await reader.read(db.manager, second.checkpoint, 3, TYPES);
    expect(positions(third.events)).toEqual(matching.slice(6));
    expect(third.checkpoint).toEqual(head);
  });

  it('never skips a matching event of a transaction still open at the read, while moving past what committed before it', async () => {
    const late = db.createQueryRunner();
    await late.connect();
    try {
      const from = await headCheckpoint();
      const early = await append([thing('thing-early', 0, [counted(1), ignored(2)])]);
      await belowHorizon();
      await late.startTransaction();
      await late.query(`SELECT pg_current_xact_id()`);
      const lateEvents = await store.append(late.manager, [thing('thing-late', 0, [ignored(3), counted(4)])]);
      const after = await append([thing('thing-after', 0, [counted(5), ignored(6)])]);

      const whileOpen = await reader.read(db.manager, from, 10, TYPES);
      expect(positions(whileOpen.events)).toEqual([early[0].globalPosition]);
      expect(whileOpen.checkpoint.globalPosition).toBe(early[1].globalPosition);

      await late.commitTransaction();
      const deadline = Date.now() + 15_000;
      const resumed: RecordedEvent[] = [];
      for (let checkpoint = whileOpen.checkpoint; resumed.length < 2;) {
        if (Date.now() > deadline) throw new Error(`read ${resumed.length} of 2 events before the deadline`);
        const batch = await reader.read(db.manager, checkpoint, 10, TYPES);
        resumed.push(...batch.events);
        checkpoint = batch.checkpoint;
      }
      expect(positions(resumed)).toEqual([lateEvents[1].globalPosition, after[0].globalPosition]);
    } finally {
      if (late.isTransactionActive) await late.rollbackTransaction();
      await late.release();
    }
  });
});

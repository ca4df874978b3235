import type { DataSource, EntityManager } from 'typeorm';
import { CatchUpProjection, EventStore, NewEvent, Projector, RecordedEvent, rebuildProjection } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, TestDatabase } from '@hookledger/testing';

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 4);
  // The projections under test, as a migration would add them: created by the owner, written by the apps' role.
  const owner = await openDataSource(database, 1, 'owner');
  try {
    await owner.query(`CREATE TABLE seen_inline (position bigint, stream_id text, version int, type text, data jsonb, recorded_at timestamptz, xid text)`);
    await owner.query(`CREATE TABLE seen_async (position bigint PRIMARY KEY, type text)`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON seen_inline, seen_async TO ${new URL(database.url).username}`);
  } finally {
    await owner.destroy();
  }
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const recordInto = (table: 'seen_inline') => async (tx: EntityManager, events: readonly RecordedEvent[]) => {
  for (const e of events) {
    await tx.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      e.globalPosition.toString(), e.streamId, e.streamVersion, e.type, JSON.stringify(e.data), e.recordedAt, e.transactionId.toString()]);
  }
};

const inline: Projector = { name: 'seen-inline', mode: 'inline', tables: ['seen_inline'], handles: ['ThingNoted'], apply: recordInto('seen_inline') };
const async: Projector = {
  name: 'seen-async', mode: 'async', tables: ['seen_async'], handles: ['ThingCounted'],
  apply: async (tx, events) => {
    for (const e of events) await tx.query(`INSERT INTO seen_async VALUES ($1, $2)`, [e.globalPosition.toString(), e.type]);
  },
};
const store = new EventStore([inline, async]);
const noted = (n: number): NewEvent => ({ type: 'ThingNoted', data: { n, text: 'café' } });
const other = (n: number): NewEvent => ({ type: 'ThingIgnored', data: { n } });
const counted = (n: number): NewEvent => ({ type: 'ThingCounted', data: { n } });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  // The horizon is the cluster's oldest running transaction: a spec running beside this one may hold events back a moment.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('inline projections', () => {
  it('see what the store recorded, in the append transaction, and only the types they handle', async () => {
    await db.transaction((tx) => store.append(tx, [
      { streamId: 'thing-1', streamType: 'thing', expectedVersion: 0, events: [noted(1), other(2), noted(3)] },
      { streamId: 'thing-2', streamType: 'thing', expectedVersion: 0, events: [other(4)] },
    ]));
    const seen = await db.query(`SELECT s.*, e.recorded_at AS stored_at, e.transaction_id::text AS stored_xid, e.data AS stored_data
      FROM seen_inline s JOIN events e ON e.global_position = s.position ORDER BY s.position`);
    expect(seen.map((row: { version: number; type: string }) => [row.version, row.type])).toEqual([[1, 'ThingNoted'], [3, 'ThingNoted']]);
    for (const row of seen) {
      expect(row.recorded_at).toEqual(row.stored_at);
      expect(row.xid).toBe(row.stored_xid);
      expect(row.data).toEqual(row.stored_data);
    }
  });

  it('roll back with the append', async () => {
    const failed = db.transaction(async (tx) => {
      await store.append(tx, [{ streamId: 'thing-3', streamType: 'thing', expectedVersion: 0, events: [noted(5)] }]);
      throw new Error('the command failed after appending');
    });
    await expect(failed).rejects.toThrow('after appending');
    expect(await db.query(`SELECT * FROM seen_inline WHERE stream_id = 'thing-3'`)).toEqual([]);
  });

  it('are not reached by appends of types nobody projects', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM seen_inline`);
    await db.transaction((tx) => store.append(tx, [{ streamId: 'thing-4', streamType: 'thing', expectedVersion: 0, events: [other(6)] }]));
    expect(await db.query(`SELECT count(*)::int AS n FROM seen_inline`)).toEqual(before);
  });
});

describe('async projections', () => {
  const rows = () => db.query(`SELECT type FROM seen_async ORDER BY position`) as Promise<{ type: string }[]>;

  it('are not applied by the append, and catch up from their checkpoint in batches', async () => {
    const catchingUp = new CatchUpProjection(db, async, 2);
    await db.transaction((tx) => store.append(tx, [{ streamId: 'count-1', streamType: 'count', expectedVersion: 0, events: [counted(1), other(2), counted(3)] }]));
    expect(await rows()).toEqual([]);
    const seen = await eventually(async () => (await catchingUp.catchUp(), rows()), (r) => r.length === 2);
    expect(seen).toEqual([{ type: 'ThingCounted' }, { type: 'ThingCounted' }]);
    expect(await catchingUp.catchUp()).toBe(0);
  });

  it('rebuild to the same rows and hand the runner a checkpoint it resumes from without applying twice', async () => {
    const before = await rows();
    await rebuildProjection(db, async, { batchSize: 3 });
    expect(await rows()).toEqual(before);
    await db.transaction((tx) => store.append(tx, [{ streamId: 'count-1', streamType: 'count', expectedVersion: 3, events: [counted(4)] }]));
    const after = await eventually(async () => (await new CatchUpProjection(db, async).catchUp(), rows()), (r) => r.length === 3);
    expect(after).toHaveLength(3);
  });
});

import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { EventStore, LedgerCheckpoints, NewEvent } from '@hookledger/event-store';
import { Checkpoint, extendLedger, GENESIS_HEAD, LedgerSigningKey, verifyCheckpoint } from '@hookledger/ledger';
import { natsUrl, OperationalEventListener, snapshotHorizonPassed, TestInfrastructure } from '@hookledger/testing';
import { LedgerCheckpointer } from './ledger-checkpointer';
import { OutboxRelay } from './outbox-relay';

const SEED = Buffer.alloc(32, 7);
const PUBLIC_KEY = new LedgerSigningKey(SEED).publicKeyBase64;
/** Every 3 events; the interval too long to ever pass during the spec. */
const BY_COUNT = { HOOKS_LEDGER_SIGNING_KEY: SEED.toString('base64'), HOOKS_LEDGER_CHECKPOINT_EVENTS: '3', HOOKS_LEDGER_CHECKPOINT_INTERVAL: '1h' };
/** The same count, the interval already passed whenever it looks: covers whatever is uncovered. */
const BY_TIME = { ...BY_COUNT, HOOKS_LEDGER_CHECKPOINT_INTERVAL: '0ms' };

// The store alone: the events are placeholders no projector reads.
const store = new EventStore([]);
let infrastructure: TestInfrastructure;
let byCount: LedgerCheckpointer[];
let byTime: LedgerCheckpointer;
/** Every 7,000 events: more than one read batch (5,000). */
let large: LedgerCheckpointer;
let relay: OutboxRelay;
let db: DataSource;
let streams = 0;

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  const providers = [LedgerCheckpoints, LedgerCheckpointer, OutboxRelay];
  const modules: TestingModule[] = [
    await infrastructure.compile({ name: 'test-checkpointer-a', providers, env: BY_COUNT }),
    await infrastructure.compile({ name: 'test-checkpointer-b', providers, env: BY_COUNT }),
    await infrastructure.compile({ name: 'test-checkpointer-t', providers, env: BY_TIME }),
    await infrastructure.compile({ name: 'test-checkpointer-l', providers, env: { ...BY_COUNT, HOOKS_LEDGER_CHECKPOINT_EVENTS: '7000' } }),
  ];
  byCount = modules.slice(0, 2).map((app) => app.get(LedgerCheckpointer));
  byTime = modules[2].get(LedgerCheckpointer);
  large = modules[3].get(LedgerCheckpointer);
  relay = modules[0].get(OutboxRelay);
  db = modules[0].get(DataSource);
});

afterAll(() => infrastructure?.close());

const event = (n: number): NewEvent => ({ type: 'EndpointUpdated', data: { n }, metadata: { actor: 'test' } });

/** `count` events, each its own append (and transaction) on a stream of its own. */
async function appendEvents(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db.transaction((tx) => store.append(tx, [{ streamId: `endpoint-ckpt-${++streams}`, streamType: 'endpoint', expectedVersion: 0, events: [event(i)] }]));
  }
}

/** Steps, once every event appended so far can be read, until no checkpoint is due; the checkpoints signed. */
async function drain(checkpointer: LedgerCheckpointer): Promise<Checkpoint[]> {
  await snapshotHorizonPassed(db);
  const signed: Checkpoint[] = [];
  for (let checkpoint = await checkpointer.step(); checkpoint; checkpoint = await checkpointer.step()) signed.push(checkpoint);
  return signed;
}

const stored = (): Promise<Checkpoint[]> => db.transaction(async (tx) => (await new LedgerCheckpoints().page(tx, null, 1000)).reverse());

/** Every stored checkpoint is what an auditor recomputes from the events in commit order, signed, and chained to the one before. */
async function expectCheckpointsOverTheStore(): Promise<Checkpoint[]> {
  const events: { position: string; xid: string; hash: Buffer }[] = await db.query(
    `SELECT global_position::text AS position, transaction_id::text AS xid, hash FROM events ORDER BY transaction_id, global_position`);
  const checkpoints = await stored();
  let head = GENESIS_HEAD;
  let covered = 0;
  checkpoints.forEach((checkpoint, i) => {
    expect(checkpoint.seq).toBe(i + 1);
    expect(checkpoint.previous_head).toBe(head.toString('hex'));
    const upTo = Number(checkpoint.events);
    for (; covered < upTo; covered++) head = extendLedger(head, events[covered].position, events[covered].hash);
    const last = events[upTo - 1];
    expect({ head: checkpoint.head, position: checkpoint.position, transaction_id: checkpoint.transaction_id })
      .toEqual({ head: head.toString('hex'), position: last.position, transaction_id: last.xid });
    expect(verifyCheckpoint(checkpoint, PUBLIC_KEY)).toBe(true);
  });
  return checkpoints;
}

const latestEvents = async (): Promise<number> => Number((await stored()).at(-1)?.events ?? 0);
const eventCount = async (): Promise<number> => Number((await db.query(`SELECT count(*) FROM events`))[0].count);

describe('the ledger checkpointer', () => {
  it('signs a checkpoint every N events, and leaves fewer than N for the interval', async () => {
    await appendEvents(7 - (await eventCount())); // the template's own events count too

    const signed = await drain(byCount[0]);

    expect(signed.map((checkpoint) => [checkpoint.seq, checkpoint.events])).toEqual([[1, '3'], [2, '6']]);
    expect(await byCount[0].step()).toBeNull();
    await expectCheckpointsOverTheStore();
  });

  it('covers the last uncovered events once the interval has passed, and signs nothing when none is uncovered', async () => {
    await appendEvents(1);

    const signed = await drain(byTime);

    expect(signed.map((checkpoint) => [checkpoint.seq, checkpoint.events])).toEqual([[3, '8']]);
    expect(await byTime.step()).toBeNull();
    await expectCheckpointsOverTheStore();
  });

  it('goes on from where it stopped while fewer than N waited, and signs once N have arrived', async () => {
    const before = await latestEvents();
    await appendEvents(2);
    expect(await drain(byCount[0])).toEqual([]);

    await appendEvents(1);

    expect((await drain(byCount[0])).map((checkpoint) => Number(checkpoint.events) - before)).toEqual([3]);
    await expectCheckpointsOverTheStore();
  });

  it('works through a backlog appended at once in checkpoints of N, each its own step', async () => {
    const before = await latestEvents();
    await db.transaction((tx) => store.append(tx, Array.from({ length: 40 }, (_, i) => ({
      streamId: `endpoint-backlog-${i}`, streamType: 'endpoint', expectedVersion: 0, events: [event(i), event(i + 1)],
    }))));

    const signed = await drain(byCount[0]);

    expect(signed.map((checkpoint) => Number(checkpoint.events) - before)).toEqual(Array.from({ length: 26 }, (_, i) => 3 * (i + 1)));
    await expectCheckpointsOverTheStore();
  });

  it('reads a checkpoint larger than one read batch in several, covering each event once', async () => {
    await drain(byTime);
    const before = await latestEvents();
    await db.transaction((tx) => store.append(tx, Array.from({ length: 3_600 }, (_, i) => ({
      streamId: `endpoint-large-${i}`, streamType: 'endpoint', expectedVersion: 0, events: [event(i), event(i + 1)],
    }))));

    const signed = await drain(large);

    expect(signed.map((checkpoint) => Number(checkpoint.events) - before)).toEqual([7_000]);
    await expectCheckpointsOverTheStore();
    await drain(byTime);
  });

  it('two schedulers checkpointing at once give one unbroken sequence, each event covered once', async () => {
    await appendEvents(30);
    await snapshotHorizonPassed(db);

    await Promise.all(byCount.map(async (checkpointer) => {
      for (let round = 0; round < 12; round++) await checkpointer.step();
    }));
    await drain(byTime);

    const checkpoints = await expectCheckpointsOverTheStore();
    expect(Number(checkpoints.at(-1)?.events)).toBe(await eventCount());
  });

  it('does not step past a transaction still in flight: its events are covered after it commits, in commit order', async () => {
    await appendEvents(1);
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await store.append(runner.manager, [{ streamId: 'endpoint-in-flight', streamType: 'endpoint', expectedVersion: 0, events: [event(1)] }]);
      await appendEvents(2); // later transactions, committed first
      const [inFlight]: { position: string }[] = await runner.query(`SELECT global_position::text AS position FROM events WHERE stream_id = 'endpoint-in-flight'`);

      while (await byTime.step()); // the horizon cannot pass the open transaction: no waiting for it here
      const beforeCommit = (await stored()).at(-1)!;
      expect(BigInt(beforeCommit.position)).toBeLessThan(BigInt(inFlight.position));

      await runner.commitTransaction();
      await drain(byTime);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }

    const checkpoints = await expectCheckpointsOverTheStore();
    expect(Number(checkpoints.at(-1)?.events)).toBe(await eventCount());
  });

  it('announces each checkpoint on <ns>.evt.ledger.checkpoint, from the outbox it committed with', async () => {
    const listener = await OperationalEventListener.start(natsUrl(), infrastructure.namespace);
    try {
      await appendEvents(1);
      const [checkpoint] = await drain(byTime);
      while (await (relay as unknown as { tick(): Promise<boolean> }).tick());
      await waitFor(() => listener.of('ledger.checkpoint').some((announced) => announced.data.seq === checkpoint.seq));

      const announced = listener.of('ledger.checkpoint').find((event) => event.data.seq === checkpoint.seq)!;
      expect(announced.data).toEqual(checkpoint);
      expect(verifyCheckpoint(announced.data as unknown as Checkpoint, PUBLIC_KEY)).toBe(true);
    } finally {
      await listener.stop();
    }
  });

  it('after a rotation extends the old key\'s last checkpoint only when its public key is listed as a predecessor', async () => {
    const rotated = new LedgerSigningKey(Buffer.alloc(32, 4));
    const env = { ...BY_TIME, HOOKS_LEDGER_SIGNING_KEY: Buffer.alloc(32, 4).toString('base64') };
    const unaware = (await infrastructure.compile({ name: 'test-checkpointer-rotated', providers: [LedgerCheckpoints, LedgerCheckpointer, OutboxRelay], env })).get(LedgerCheckpointer);
    const told = (await infrastructure.compile({
      name: 'test-checkpointer-told', providers: [LedgerCheckpoints, LedgerCheckpointer, OutboxRelay],
      env: { ...env, HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS: PUBLIC_KEY },
    })).get(LedgerCheckpointer);
    await drain(byTime);
    const [last] = (await stored()).slice(-1);
    await appendEvents(2);
    await snapshotHorizonPassed(db);
    await expect(unaware.step()).rejects.toThrow(/does not verify with this signing key .* nor with any of HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS/);
    const [next] = await drain(told);
    expect(verifyCheckpoint(next, rotated.publicKeyBase64)).toBe(true);
    expect(verifyCheckpoint(next, PUBLIC_KEY)).toBe(false);
    expect(next).toMatchObject({ seq: last.seq + 1, previous_head: last.head });
    // Signed by the new key, the sequence goes on with it; the old signer now refuses in turn.
    await appendEvents(1);
    await snapshotHorizonPassed(db);
    await expect(byTime.step()).rejects.toThrow(/does not verify with this signing key/);
  });
});

/** Polls until `ready` holds: the announcement is published by then, only its delivery to the listener is awaited. */
async function waitFor(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('the checkpoint announcement did not arrive');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

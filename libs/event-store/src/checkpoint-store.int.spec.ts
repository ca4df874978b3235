import type { DataSource } from 'typeorm';
import { claimCheckpoint, loadCheckpoint, saveCheckpoint, ZERO_CHECKPOINT } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, TestDatabase, waitUntilBlocked } from '@hookledger/testing';

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const at = (transactionId: bigint, globalPosition: bigint) => ({ transactionId, globalPosition });

describe('reader checkpoints', () => {
  it('start at zero for a reader that never saved one', async () => {
    expect(await loadCheckpoint(db.manager, 'never-ran')).toEqual(ZERO_CHECKPOINT);
  });

  it('keep the last saved position, beyond the 32-bit range', async () => {
    await saveCheckpoint(db.manager, 'health', at(10n, 20n));
    await saveCheckpoint(db.manager, 'health', at(5_000_000_000n, 9_007_199_254_740_993n));

    expect(await loadCheckpoint(db.manager, 'health')).toEqual(at(5_000_000_000n, 9_007_199_254_740_993n));
    expect(await loadCheckpoint(db.manager, 'never-ran')).toEqual(ZERO_CHECKPOINT);
  });

  it('roll back with the projection transaction that failed after saving', async () => {
    await saveCheckpoint(db.manager, 'rollback', at(7n, 70n));

    const failed = db.transaction(async (tx) => {
      await saveCheckpoint(tx, 'rollback', at(8n, 80n));
      throw new Error('projection write failed');
    });

    await expect(failed).rejects.toThrow('projection write failed');
    expect(await loadCheckpoint(db.manager, 'rollback')).toEqual(at(7n, 70n));
  });

  it('make a second claimant wait, then start where the first one saved', async () => {
    const first = db.createQueryRunner();
    const second = db.createQueryRunner();
    await Promise.all([first.connect(), second.connect()]);
    try {
      await first.startTransaction();
      await second.startTransaction();
      expect(await claimCheckpoint(first.manager, 'claimed')).toEqual(ZERO_CHECKPOINT);
      const [{ pid }] = await second.query(`SELECT pg_backend_pid() AS pid`);
      const secondClaim = claimCheckpoint(second.manager, 'claimed');
      secondClaim.catch(() => undefined);

      await waitUntilBlocked(db, pid);
      await saveCheckpoint(first.manager, 'claimed', at(3n, 30n));
      await first.commitTransaction();

      expect(await secondClaim).toEqual(at(3n, 30n));
    } finally {
      for (const runner of [first, second]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
  });
});

import { Client } from 'pg';
import type { Checkpoint } from '@hookledger/ledger';
import type { TestSystem } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * Waits until the scheduler's checkpointer has signed a checkpoint covering every event in the
 * store (call it once the system is quiet), then answers every checkpoint, oldest first, as the
 * API serves them.
 */
export async function coveringCheckpoints(system: TestSystem, timeoutMs = 60_000): Promise<Checkpoint[]> {
  const db = new Client({ connectionString: system.database.url });
  await db.connect();
  try {
    await eventually(async () => {
      const [{ count }] = (await db.query<{ count: string }>(`SELECT count(*)::text AS count FROM events`)).rows;
      const latest = await system.request<Checkpoint>('GET', '/v1/audit/checkpoints/latest');
      return latest.status === 200 && latest.body.events === count ? true : undefined;
    }, 'a signed checkpoint covering every event', timeoutMs);
  } finally {
    await db.end();
  }
  const all: Checkpoint[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { data: Checkpoint[]; next_cursor: string | null } } =
      await system.request('GET', `/v1/audit/checkpoints?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.body.data);
    cursor = page.body.next_cursor;
  } while (cursor);
  return all.reverse();
}

import type { EntityManager } from 'typeorm';

/**
 * `delivery_dispatch_claims`, the scheduler's own operational state (its one writer): which
 * deliveries it published a scheduled dispatch for, at which stream version. `deliveries.due_at`
 * is projected from events, so publishing a dispatch cannot clear it; a claim at the delivery's
 * current version says "already published" instead, and the attempt's event (a new version)
 * releases it.
 *
 * Schedulers lock due rows FOR UPDATE SKIP LOCKED, claim them, publish, and commit. The lock alone
 * does not keep two from publishing one delivery: a scheduler whose SELECT began before another's
 * commit locks the row right after it and, the row itself unchanged, keeps it with a snapshot that
 * saw no claim. The claim's upsert does: it waits for the other's uncommitted claim and answers
 * only the deliveries not yet claimed at that version — publish those alone.
 */
export const UNCLAIMED = `NOT EXISTS (SELECT 1 FROM delivery_dispatch_claims c WHERE c.delivery_id = d.id AND c.version = d.version)`;

/** Claims the deliveries at their versions; answers those this call claimed (not claimed at that version before). */
export async function claimDispatches<T extends { readonly id: string; readonly version: number }>(tx: EntityManager, due: readonly T[]): Promise<T[]> {
  if (due.length === 0) return [];
  const rows: { delivery_id: string }[] = await tx.query(
    `INSERT INTO delivery_dispatch_claims (delivery_id, version)
     SELECT * FROM unnest($1::text[], $2::int[])
     ON CONFLICT (delivery_id) DO UPDATE SET version = excluded.version, claimed_at = now()
       WHERE delivery_dispatch_claims.version <> excluded.version
     RETURNING delivery_id`,
    [due.map((claim) => claim.id), due.map((claim) => claim.version)],
  );
  const claimed = new Set(rows.map((row) => row.delivery_id));
  return due.filter((delivery) => claimed.has(delivery.id));
}

/** Forgets claims their delivery has moved past: they can never match again. */
export async function pruneDispatchClaims(tx: EntityManager): Promise<void> {
  await tx.query(`DELETE FROM delivery_dispatch_claims c USING deliveries d WHERE d.id = c.delivery_id AND d.version <> c.version`);
}

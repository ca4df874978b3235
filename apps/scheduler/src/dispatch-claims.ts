import type { EntityManager } from 'typeorm';

/**
 * `delivery_dispatch_claims`, the scheduler's own operational state (its one writer): which
 * deliveries it published a scheduled dispatch for, at which stream version. `deliveries.due_at`
 * is projected from events, so publishing a dispatch cannot clear it; a claim at the delivery's
 * current version says "already published" instead, and the attempt's event (a new version)
 * releases it. Claimed rows stay locked (FOR UPDATE SKIP LOCKED) until the claim commits, so
 * several schedulers never publish the same one.
 */
export const UNCLAIMED = `NOT EXISTS (SELECT 1 FROM delivery_dispatch_claims c WHERE c.delivery_id = d.id AND c.version = d.version)`;

export async function claimDispatches(tx: EntityManager, claims: readonly { readonly id: string; readonly version: number }[]): Promise<void> {
  if (claims.length === 0) return;
  await tx.query(
    `INSERT INTO delivery_dispatch_claims (delivery_id, version)
     SELECT * FROM unnest($1::text[], $2::int[])
     ON CONFLICT (delivery_id) DO UPDATE SET version = excluded.version, claimed_at = now()`,
    [claims.map((claim) => claim.id), claims.map((claim) => claim.version)],
  );
}

/** Forgets claims their delivery has moved past: they can never match again. */
export async function pruneDispatchClaims(tx: EntityManager): Promise<void> {
  await tx.query(`DELETE FROM delivery_dispatch_claims c USING deliveries d WHERE d.id = c.delivery_id AND d.version <> c.version`);
}

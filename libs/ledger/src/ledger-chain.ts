import { createHash } from 'node:crypto';

/**
 * The ledger chain: one running SHA-256 over every event in the store, in ledger order, which a
 * signed checkpoint commits to.
 *
 * Ledger order is commit order — `(transaction_id, global_position)`, the order the catch-up readers
 * walk — not `global_position` alone: positions are drawn before commit, so a position below one
 * already visible may still appear when its transaction commits, and a chain over positions could
 * never be final. Once every transaction below the snapshot's xmin has ended, the order of everything
 * before it is fixed forever.
 *
 * Each step folds in the event's global position and its per-stream hash (which covers its stream,
 * version, type, schema version, time, data and metadata, and the event before it in its stream):
 *
 *     head(0) = 32 zero bytes
 *     head(i) = SHA-256( head(i-1) ‖ position(i) as 8 bytes big-endian ‖ hash(i) )
 *
 * A chain rather than a Merkle tree: the checkpointer extends it with one hash per event in constant
 * memory, an auditor's verifier streams an export through it the same way, and the questions
 * auditors ask of an export ("is this the whole ledger, unaltered, up to the signed point?") need
 * the whole sequence anyway. What it does not give is a short proof that one event is included
 * without the events around it; per-stream chains and the delivery history answer those questions.
 */
export const GENESIS_HEAD: Buffer = Buffer.alloc(32);

export function extendLedger(head: Buffer, position: bigint | string | number, eventHash: Buffer): Buffer {
  if (head.length !== 32) throw new Error('a ledger head is 32 bytes');
  if (eventHash.length !== 32) throw new Error('an event hash is 32 bytes');
  const at = Buffer.alloc(8);
  at.writeBigUInt64BE(BigInt(position));
  return createHash('sha256').update(head).update(at).update(eventHash).digest();
}

/** Extends `head` over events in ledger order. */
export function extendLedgerOver(head: Buffer, events: Iterable<{ readonly position: bigint | string | number; readonly hash: Buffer }>): Buffer {
  let current = head;
  for (const event of events) current = extendLedger(current, event.position, event.hash);
  return current;
}

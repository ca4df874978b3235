import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { CheckedLedgerEntry, cursorOf, LEDGER_GENESIS, LedgerCheckpoints, LedgerCursor } from '@hookledger/event-store';
import { Checkpoint, extendLedger, GENESIS_HEAD, LedgerSigningKey, publicKeyFingerprint, verifyCheckpoint } from '@hookledger/ledger';
import { ProblemException } from '@hookledger/observability';
import type { LedgerFaultResource, LedgerVerificationResource } from './ledger.dto';

/** Events per query: the walk holds one batch and one head, whatever the ledger's size. */
const BATCH = 5_000;

/** Where the walk stands: the head and count after the last checkpoint that held. */
interface Walk {
  head: Buffer;
  events: bigint;
  cursor: LedgerCursor;
  held: number;
  eventsChecked: number;
  checkpointsChecked: number;
}

/**
 * Online verification between two checkpoints: every event's per-stream hash recomputed in SQL,
 * the ledger chain extended over them in ledger order, and at each checkpoint on the way its
 * signature (by the key this API is configured with, never one read from the database), its
 * link to the previous checkpoint, its event count and its head.
 */
@Injectable()
export class LedgerVerifier {
  readonly publicKey: Buffer;

  constructor(private readonly db: DataSource, private readonly checkpoints: LedgerCheckpoints, config: HookledgerConfig) {
    this.publicKey = new LedgerSigningKey(config.ledger.signingKey).publicKey;
  }

  async verify(fromSeq: number | undefined, toSeq: number | undefined): Promise<LedgerVerificationResource> {
    const db = this.db.manager;
    if (fromSeq !== undefined && toSeq !== undefined && fromSeq > toSeq) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, `from (${fromSeq}) is after to (${toSeq}); verification walks forward.`, {
        errors: [{ field: 'from', message: 'from must not be greater than to' }],
      });
    }
    const to = toSeq === undefined ? await this.checkpoints.latest(db) : await this.checkpoints.get(db, toSeq);
    if (!to) throw checkpointNotFound(toSeq);
    const from = fromSeq ? await this.checkpoints.get(db, fromSeq) : null;
    if (fromSeq && !from) throw checkpointNotFound(fromSeq);
    if (from && from.seq > to.seq) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, `from (${from.seq}) is after the latest checkpoint (${to.seq}).`, {
        errors: [{ field: 'from', message: 'from must not be greater than to' }],
      });
    }

    const walk: Walk = {
      head: from ? Buffer.from(from.head, 'hex') : GENESIS_HEAD, events: BigInt(from?.events ?? 0), cursor: from ? cursorOf(from) : LEDGER_GENESIS,
      held: from?.seq ?? 0, eventsChecked: 0, checkpointsChecked: 0,
    };
    const answer = (firstBad: LedgerFaultResource | null): LedgerVerificationResource => ({
      intact: firstBad === null, from: from?.seq ?? 0, to: to.seq, events_checked: walk.eventsChecked, checkpoints_checked: walk.checkpointsChecked, first_bad: firstBad,
    });

    if (from) {
      const fault = this.signatureFault(from);
      if (fault) return answer(fault);
      walk.checkpointsChecked++;
    }
    for (let seq = walk.held + 1; seq <= to.seq; seq++) {
      const checkpoint = seq === to.seq ? to : await this.checkpoints.get(db, seq);
      const fault = checkpoint ? await this.checkUpTo(db, walk, checkpoint) : checkpointFault(seq, `checkpoint ${seq} is missing from the store`);
      if (fault) return answer(fault);
    }
    return answer(null);
  }

  /** Walks the events up to `checkpoint` and checks it; on success the walk stands at it. */
  private async checkUpTo(db: EntityManager, walk: Walk, checkpoint: Checkpoint): Promise<LedgerFaultResource | null> {
    const signature = this.signatureFault(checkpoint);
    if (signature) return signature;
    if (checkpoint.previous_head !== walk.head.toString('hex')) {
      return checkpointFault(checkpoint.seq, `checkpoint ${checkpoint.seq} does not follow checkpoint ${walk.held}: its previous_head is not the head checkpoint ${walk.held} signed`);
    }
    let first: CheckedLedgerEntry | null = null;
    const upTo = cursorOf(checkpoint);
    for (let cursor = walk.cursor; ;) {
      const batch = await this.checkpoints.readChecked(db, cursor, upTo, BATCH);
      for (const entry of batch) {
        first ??= entry;
        const fault = eventFault(entry, checkpoint.seq);
        if (fault) return fault;
        walk.head = extendLedger(walk.head, entry.position, entry.hash);
        walk.events++;
        walk.eventsChecked++;
      }
      if (batch.length < BATCH) break;
      cursor = { transactionId: batch[batch.length - 1].transactionId, position: batch[batch.length - 1].position };
    }
    if (walk.events !== BigInt(checkpoint.events) || walk.head.toString('hex') !== checkpoint.head) {
      return {
        position: first?.position ?? null, stream_id: first?.streamId ?? null, version: first?.version ?? null, checkpoint: checkpoint.seq,
        reason: `chain head mismatch: the ${walk.events} events up to position ${checkpoint.position} do not chain to the head checkpoint ${checkpoint.seq} signed`
          + ` over ${checkpoint.events}; an event was changed, inserted or removed after checkpoint ${walk.held}`
          + (first ? ` (whose first event is at position ${first.position})` : ' (no event is left after it)'),
      };
    }
    walk.cursor = upTo;
    walk.held = checkpoint.seq;
    walk.checkpointsChecked++;
    return null;
  }

  private signatureFault(checkpoint: Checkpoint): LedgerFaultResource | null {
    if (verifyCheckpoint(checkpoint, this.publicKey)) return null;
    const signer = Buffer.from(checkpoint.public_key, 'base64');
    const reason = signer.equals(this.publicKey)
      ? `bad signature: checkpoint ${checkpoint.seq}'s signature does not verify over its fields with the configured public key`
      : `bad signature: checkpoint ${checkpoint.seq} names key ${publicKeyFingerprint(signer)}, not the configured key ${publicKeyFingerprint(this.publicKey)}, and does not verify with the configured one`;
    return { position: checkpoint.position, stream_id: null, version: null, checkpoint: checkpoint.seq, reason };
  }
}

function eventFault(entry: CheckedLedgerEntry, checkpoint: number): LedgerFaultResource | null {
  const at = { position: entry.position, stream_id: entry.streamId, version: entry.version, checkpoint };
  if (!entry.previousPresent) return { ...at, reason: `missing event: version ${entry.version - 1} of ${entry.streamId}, which this event chains to, is not in the store` };
  if (!entry.hashHolds) return { ...at, reason: 'hash mismatch: the event does not hash to its stored hash (recomputed over its content and the previous version’s hash)' };
  return null;
}

const checkpointFault = (seq: number, reason: string): LedgerFaultResource => ({ position: null, stream_id: null, version: null, checkpoint: seq, reason });

const checkpointNotFound = (seq: number | undefined) =>
  new ProblemException(HttpStatus.NOT_FOUND, seq === undefined ? 'No ledger checkpoint has been signed yet.' : `Ledger checkpoint ${seq} does not exist.`);

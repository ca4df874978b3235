import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { operationalEvent } from '@hookledger/contracts';
import { cursorOf, LEDGER_GENESIS, LedgerCheckpoints, LedgerCursor, Outbox } from '@hookledger/event-store';
import { Checkpoint, extendLedger, GENESIS_HEAD, LedgerSigningKey, publicKeyFingerprint, verifyCheckpoint } from '@hookledger/ledger';
import { PeriodicTask } from './periodic-task';

/** Events read per query: the chain needs only position and hash, so memory stays flat whatever the backlog. */
const READ_BATCH = 5_000;
const UNIQUE_VIOLATION = '23505';

/**
 * Signs the ledger: each step extends the last checkpoint's head (or genesis) over the committed
 * events after it, in ledger order, and signs a checkpoint once `checkpointEvents` of them are
 * uncovered, or once `checkpointIntervalMs` has passed since the last one and any is. A backlog
 * is worked through one checkpoint of at most `checkpointEvents` events per step, each step its
 * own transaction, the next at once. The checkpoint is announced through the outbox, so the
 * announcement commits with it; a crash before the commit leaves nothing, and the next step
 * recomputes from the last stored checkpoint.
 */
@Injectable()
export class LedgerCheckpointer extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly key: LedgerSigningKey;
  /** Whose checkpoints this one extends: its own key's, and the keys it replaced. */
  private readonly signers: readonly Buffer[];
  private readonly everyEvents: number;
  private readonly everyMs: number;
  private progress: Progress | null = null;
  /** The highest checkpoint seq this process has seen stored: the sequence never goes back. */
  private highestSeen = 0;

  constructor(private readonly db: DataSource, private readonly checkpoints: LedgerCheckpoints, private readonly outbox: Outbox, config: HookledgerConfig) {
    super();
    this.intervalMs = config.schedulerIntervalMs;
    this.key = new LedgerSigningKey(config.ledger.signingKey);
    this.signers = [this.key.publicKey, ...config.ledger.previousPublicKeys];
    this.everyEvents = config.ledger.checkpointEvents;
    this.everyMs = config.ledger.checkpointIntervalMs;
  }

  protected async tick(): Promise<boolean> {
    return (await this.step()) !== null;
  }

  /**
   * Signs and stores the next checkpoint when one is due. Null when none is, and when another
   * scheduler is signing: one writer at a time (an advisory lock), and should two ever both get
   * as far as the insert, the `seq` key lets one through and the other simply tries again later
   * from the new last checkpoint, so the sequence cannot fork.
   */
  async step(): Promise<Checkpoint | null> {
    try {
      return await this.db.transaction((tx) => this.signNext(tx));
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  private async signNext(tx: EntityManager): Promise<Checkpoint | null> {
    if (!(await this.checkpoints.claimWriter(tx))) return null;
    const last = await this.checkpoints.latest(tx);
    this.refuseToExtendForgery(last);
    const progress = this.progressAfter(last);
    while (progress.covered < this.everyEvents) {
      const limit = Math.min(READ_BATCH, this.everyEvents - progress.covered);
      const batch = await this.checkpoints.readCommitted(tx, progress.cursor, limit);
      if (batch.length === 0) break;
      let head = progress.head;
      for (const entry of batch) head = extendLedger(head, entry.position, entry.hash);
      const end = batch[batch.length - 1];
      Object.assign(progress, { head, cursor: { transactionId: end.transactionId, position: end.position }, covered: progress.covered + batch.length });
      if (batch.length < limit) break;
    }
    const intervalPassed = last === null || Date.now() - Date.parse(last.signed_at) >= this.everyMs;
    if (progress.covered === 0 || (progress.covered < this.everyEvents && !intervalPassed)) return null;

    const checkpoint = this.key.sign({
      seq: progress.after + 1,
      events: (BigInt(last?.events ?? 0) + BigInt(progress.covered)).toString(),
      position: progress.cursor.position,
      transaction_id: progress.cursor.transactionId,
      head: progress.head.toString('hex'),
      previous_head: progress.afterHead,
      signed_at: new Date().toISOString(),
    });
    await this.checkpoints.insert(tx, checkpoint);
    this.highestSeen = checkpoint.seq;
    await this.outbox.add(tx, [operationalEvent('ledger.checkpoint', checkpoint)]);
    this.logger.log({ msg: 'ledger checkpoint signed', seq: checkpoint.seq, events: checkpoint.events, position: checkpoint.position });
    return checkpoint;
  }

  /**
   * Signing extends the last stored checkpoint's head, so a checkpoint planted in the database (by
   * someone who rewrote the ledger and chained a head over the rewrite) must never be built on: the
   * last checkpoint must verify with this key, and the sequence may not go back below one this
   * process has seen (checkpoints deleted to start the chain again over a rewritten ledger). Either
   * refusal stops signing — loudly, every step — until someone looks; it never signs over the doubt.
   * After a rotation, the last checkpoint is the old key's: list its public key in
   * HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS (docs/ledger-checkpoints.md).
   */
  private refuseToExtendForgery(last: Checkpoint | null): void {
    if ((last?.seq ?? 0) < this.highestSeen) {
      throw new Error(`ledger checkpoints went back from seq ${this.highestSeen} to ${last?.seq ?? 'none'}: checkpoints were deleted; refusing to sign until this is investigated`);
    }
    if (last && !this.signers.some((key) => verifyCheckpoint(last, key))) {
      throw new Error(`the latest ledger checkpoint (seq ${last.seq}) does not verify with this signing key (fingerprint ${publicKeyFingerprint(this.key.publicKey)}) `
        + 'nor with any of HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS: refusing to extend it');
    }
    this.highestSeen = Math.max(this.highestSeen, last?.seq ?? 0);
  }

  /**
   * The chain so far past `last`: what earlier steps read when `last` is still the latest checkpoint
   * (so a quiet ledger is not re-read from the checkpoint on every step while it waits for the
   * interval), else started afresh from it. Held in memory only: a restart recomputes it.
   */
  private progressAfter(last: Checkpoint | null): Progress {
    const afterHead = last?.head ?? GENESIS_HEAD.toString('hex');
    const after = last?.seq ?? 0;
    if (this.progress?.after !== after || this.progress.afterHead !== afterHead) {
      this.progress = { after, afterHead, head: Buffer.from(afterHead, 'hex'), cursor: last ? cursorOf(last) : LEDGER_GENESIS, covered: 0 };
    }
    return this.progress;
  }
}

/** The chain extended past checkpoint `after` (whose head is `afterHead`) over `covered` events, up to `cursor`. */
interface Progress {
  readonly after: number;
  readonly afterHead: string;
  head: Buffer;
  cursor: LedgerCursor;
  covered: number;
}

function sqlState(error: unknown): string | undefined {
  const failure = error as { code?: string; driverError?: { code?: string } } | undefined;
  return failure?.code ?? failure?.driverError?.code;
}

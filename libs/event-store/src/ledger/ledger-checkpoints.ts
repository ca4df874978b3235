import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Checkpoint } from '@hookledger/ledger';

/** A place in ledger order: (transaction id, global position), both as decimal strings. */
export interface LedgerCursor {
  readonly transactionId: string;
  readonly position: string;
}

/** Before every event: where the chain starts. */
export const LEDGER_GENESIS: LedgerCursor = Object.freeze({ transactionId: '0', position: '0' });

/** What the chain folds in per event. */
export interface LedgerEntry {
  readonly position: string;
  readonly transactionId: string;
  readonly hash: Buffer;
}

/** An entry with its per-stream hash recomputed in SQL from its content and the previous version's stored hash. */
export interface CheckedLedgerEntry extends LedgerEntry {
  readonly streamId: string;
  readonly version: number;
  /** The stored hash equals hl_event_digest over the event and its predecessor's stored hash. */
  readonly hashHolds: boolean;
  /** Version 1, or the stream's previous version is still there. */
  readonly previousPresent: boolean;
}

// Any fixed key will do; it only has to differ from the migrations' lock.
const WRITER_LOCK = 7_337_060;

const COLUMNS = `seq, events::text, position::text, transaction_id::text, head, previous_head, signed_at, public_key, signature`;

// Only events of transactions that certainly ended, in commit order: the rule EventReader follows
// (see there). A chain over positions alone could never be final, and a checkpoint that skipped an
// in-flight transaction's events would be wrong forever once they commit.
const COMMITTED_AFTER = `
  FROM events e
 WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)`;

const READ_COMMITTED_SQL = `
  SELECT e.global_position::text AS position, e.transaction_id::text AS xid, e.hash ${COMMITTED_AFTER}
   ORDER BY e.transaction_id, e.global_position
   LIMIT $3`;

// The verifier's walk between two signed cursors. No horizon: every transaction up to a signed
// cursor had ended when it was signed. Each event's hash is recomputed from its own columns and the
// stored hash of the version before it in its stream, so a rewritten event is named where it is.
const READ_CHECKED_SQL = `
  SELECT e.global_position::text AS position, e.transaction_id::text AS xid, e.hash, e.stream_id, e.stream_version,
         e.hash = hl_event_digest(p.hash, e.stream_id, e.stream_version, e.type, e.schema_version, e.data, e.metadata, e.recorded_at) AS hash_holds,
         (e.stream_version = 1 OR p.global_position IS NOT NULL) AS previous_present
    FROM events e
    LEFT JOIN events p ON p.stream_id = e.stream_id AND p.stream_version = e.stream_version - 1
   WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
     AND (e.transaction_id, e.global_position) <= ($3::xid8, $4::bigint)
   ORDER BY e.transaction_id, e.global_position
   LIMIT $5`;

interface CheckpointRow {
  seq: number;
  events: string;
  position: string;
  transaction_id: string;
  head: Buffer;
  previous_head: Buffer;
  signed_at: Date;
  public_key: Buffer;
  signature: Buffer;
}

const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  seq: row.seq, events: row.events, position: row.position, transaction_id: row.transaction_id,
  head: row.head.toString('hex'), previous_head: row.previous_head.toString('hex'), signed_at: row.signed_at.toISOString(),
  public_key: row.public_key.toString('base64'), signature: row.signature.toString('base64'),
});

/** The cursor a checkpoint signed: the chain after it starts there. */
export const cursorOf = (checkpoint: Checkpoint): LedgerCursor => ({ transactionId: checkpoint.transaction_id, position: checkpoint.position });

/**
 * The signed checkpoints (`ledger_checkpoints`, written only by the scheduler's checkpointer) and
 * the ledger-order reads they are computed and verified from.
 */
@Injectable()
export class LedgerCheckpoints {
  /**
   * Makes `tx` the only checkpoint writer until it ends, or answers false at once when another
   * transaction is. The `seq` primary key stays the last word: a writer that got past the lock
   * some other way still cannot add a second checkpoint after the same one.
   */
  async claimWriter(tx: EntityManager): Promise<boolean> {
    const [row]: { claimed: boolean }[] = await tx.query(`SELECT pg_try_advisory_xact_lock($1) AS claimed`, [WRITER_LOCK]);
    return row.claimed;
  }

  async latest(db: EntityManager): Promise<Checkpoint | null> {
    const rows: CheckpointRow[] = await db.query(`SELECT ${COLUMNS} FROM ledger_checkpoints ORDER BY seq DESC LIMIT 1`);
    return rows.length > 0 ? toCheckpoint(rows[0]) : null;
  }

  async get(db: EntityManager, seq: number): Promise<Checkpoint | null> {
    const rows: CheckpointRow[] = await db.query(`SELECT ${COLUMNS} FROM ledger_checkpoints WHERE seq = $1`, [seq]);
    return rows.length > 0 ? toCheckpoint(rows[0]) : null;
  }

  /** Newest first, below `beforeSeq` when given. */
  async page(db: EntityManager, beforeSeq: number | null, limit: number): Promise<Checkpoint[]> {
    const rows: CheckpointRow[] = await db.query(
      `SELECT ${COLUMNS} FROM ledger_checkpoints WHERE ($1::integer IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`, [beforeSeq, limit]);
    return rows.map(toCheckpoint);
  }

  async insert(tx: EntityManager, checkpoint: Checkpoint): Promise<void> {
    await tx.query(
      `INSERT INTO ledger_checkpoints (seq, events, position, transaction_id, head, previous_head, signed_at, public_key, signature)
       VALUES ($1, $2::bigint, $3::bigint, $4::xid8, $5, $6, $7::timestamptz, $8, $9)`,
      [checkpoint.seq, checkpoint.events, checkpoint.position, checkpoint.transaction_id, Buffer.from(checkpoint.head, 'hex'),
        Buffer.from(checkpoint.previous_head, 'hex'), checkpoint.signed_at, Buffer.from(checkpoint.public_key, 'base64'),
        Buffer.from(checkpoint.signature, 'base64')],
    );
  }

  /** Up to `limit` committed events after `after`, in ledger order. */
  async readCommitted(db: EntityManager, after: LedgerCursor, limit: number): Promise<LedgerEntry[]> {
    const rows: { position: string; xid: string; hash: Buffer }[] = await db.query(READ_COMMITTED_SQL, [after.transactionId, after.position, limit]);
    return rows.map((row) => ({ position: row.position, transactionId: row.xid, hash: row.hash }));
  }

  /** Up to `limit` events after `after` and up to `upTo` (inclusive), in ledger order, each with its hash recomputed. */
  async readChecked(db: EntityManager, after: LedgerCursor, upTo: LedgerCursor, limit: number): Promise<CheckedLedgerEntry[]> {
    const rows: {
      position: string; xid: string; hash: Buffer; stream_id: string; stream_version: number; hash_holds: boolean | null; previous_present: boolean;
    }[] = await db.query(READ_CHECKED_SQL, [after.transactionId, after.position, upTo.transactionId, upTo.position, limit]);
    return rows.map((row) => ({
      position: row.position, transactionId: row.xid, hash: row.hash, streamId: row.stream_id, version: row.stream_version,
      hashHolds: row.hash_holds === true, previousPresent: row.previous_present,
    }));
  }
}

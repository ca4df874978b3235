import type { EntityManager } from 'typeorm';
import { Checkpoint, ZERO_CHECKPOINT } from './event-reader';

// Every function takes the caller's EntityManager: a projector passes its transaction, so the
// checkpoint commits or rolls back together with the read-model rows it wrote — a crash between
// the two can neither skip events nor apply them twice.

const LOAD_SQL = `
  SELECT transaction_id::text AS transaction_id, global_position::text AS global_position
    FROM reader_checkpoints WHERE name = $1`;

const ENSURE_SQL = `
  INSERT INTO reader_checkpoints (name, transaction_id, global_position) VALUES ($1, '0'::xid8, 0)
  ON CONFLICT (name) DO NOTHING`;

const SAVE_SQL = `
  INSERT INTO reader_checkpoints (name, transaction_id, global_position, updated_at)
  VALUES ($1, $2::xid8, $3::bigint, now())
  ON CONFLICT (name) DO UPDATE
    SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now()`;

interface CheckpointRow {
  transaction_id: string;
  global_position: string;
}

/** The reader's stored checkpoint, or the zero checkpoint when it has never saved one. */
export async function loadCheckpoint(db: EntityManager, name: string): Promise<Checkpoint> {
  const rows: CheckpointRow[] = await db.query(LOAD_SQL, [name]);
  return rows.length ? toCheckpoint(rows[0]) : ZERO_CHECKPOINT;
}

/**
 * Loads the checkpoint and row-locks it until `tx` ends. Two instances of the same projector
 * would otherwise both read from the same checkpoint and apply the same events twice; with the
 * lock the second waits and then starts where the first one saved.
 */
export async function claimCheckpoint(tx: EntityManager, name: string): Promise<Checkpoint> {
  await tx.query(ENSURE_SQL, [name]);
  const rows: CheckpointRow[] = await tx.query(`${LOAD_SQL} FOR UPDATE`, [name]);
  return toCheckpoint(rows[0]);
}

export async function saveCheckpoint(db: EntityManager, name: string, checkpoint: Checkpoint): Promise<void> {
  await db.query(SAVE_SQL, [name, checkpoint.transactionId.toString(), checkpoint.globalPosition.toString()]);
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) };
}

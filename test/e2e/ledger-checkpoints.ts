import { Client } from 'pg';
import QueryStream from 'pg-query-stream';
import { Checkpoint, extendLedger, GENESIS_HEAD, LedgerSigningKey } from '@hookledger/ledger';

/**
 * Signs checkpoints over the whole store as the scheduler's checkpointer will: the ledger chain from
 * genesis in ledger order, one checkpoint every `every` events and one covering the last. Call it
 * once per database. Only transactions below the snapshot's xmin count: their order is final.
 * TODO: once the scheduler's checkpointer (branch cl-ckpt) is merged, the specs can wait for its
 * checkpoint instead of signing their own.
 */
export async function signCheckpoints(url: string, key: LedgerSigningKey, every: number): Promise<Checkpoint[]> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const signed: Checkpoint[] = [];
    let head = GENESIS_HEAD;
    let previous = GENESIS_HEAD;
    let events = 0;
    let cursor = { transactionId: '0', position: '0' };
    const sign = (at: { transactionId: string; position: string }) => {
      signed.push(key.sign({
        seq: signed.length + 1, events: String(events), position: at.position, transaction_id: at.transactionId, head: head.toString('hex'),
        previous_head: previous.toString('hex'), signed_at: new Date().toISOString(),
      }));
      previous = head;
    };
    const rows = db.query(new QueryStream(
      `SELECT transaction_id::text, global_position::text AS position, hash FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY transaction_id, global_position`, [], { batchSize: 5000 }));
    for await (const row of rows as AsyncIterable<{ transaction_id: string; position: string; hash: Buffer }>) {
      head = extendLedger(head, row.position, row.hash);
      events++;
      cursor = { transactionId: row.transaction_id, position: row.position };
      if (events % every === 0) sign(cursor);
    }
    if (events % every !== 0) sign(cursor);
    for (const c of signed) {
      await db.query(
        `INSERT INTO ledger_checkpoints (seq, events, position, transaction_id, head, previous_head, signed_at, public_key, signature)
         VALUES ($1, $2, $3, $4::xid8, decode($5, 'hex'), decode($6, 'hex'), $7, decode($8, 'base64'), decode($9, 'base64'))`,
        [c.seq, c.events, c.position, c.transaction_id, c.head, c.previous_head, c.signed_at, c.public_key, c.signature]);
    }
    return signed;
  } finally {
    await db.end();
  }
}

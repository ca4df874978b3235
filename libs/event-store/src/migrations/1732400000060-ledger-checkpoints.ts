import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints (libs/ledger): the ledger head after `events` events in commit order, the last
 * at (`transaction_id`, `position`), signed with the Ed25519 key held outside Postgres. Like the
 * events they vouch for, checkpoints are never changed or removed.
 */
export class LedgerCheckpoints1732400000060 implements MigrationInterface {
  name = 'LedgerCheckpoints1732400000060';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ledger_checkpoints (
        seq            integer     PRIMARY KEY CHECK (seq > 0),
        events         bigint      NOT NULL CHECK (events > 0),
        position       bigint      NOT NULL,
        transaction_id xid8        NOT NULL,
        head           bytea       NOT NULL CHECK (length(head) = 32),
        previous_head  bytea       NOT NULL CHECK (length(previous_head) = 32),
        signed_at      timestamptz NOT NULL,
        public_key     bytea       NOT NULL CHECK (length(public_key) = 32),
        signature      bytea       NOT NULL CHECK (length(signature) = 64)
      )`);
    await db.query(`CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION hl_refuse_event_change()`);
    await db.query(`CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION hl_refuse_event_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS ledger_checkpoints`);
  }
}

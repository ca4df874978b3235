import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant data keys for payloads and response bodies (envelope encryption, libs/secrets
 * TenantDataKeys): one key per tenant per retention day, wrapped under HOOKS_ENCRYPTION_KEY.
 * Destroying a key (retention, erasure) deletes its wrapped bytes and keeps the row as the record
 * of when and why: whatever it sealed, in the ledger, the projections and every backup, is then
 * unreadable for good. Operational state; its one writer is TenantDataKeys.
 */
export class TenantDataKeys1732400000062 implements MigrationInterface {
  name = 'TenantDataKeys1732400000062';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenant_data_keys (
        id             text        PRIMARY KEY,
        tenant_id      text        NOT NULL,
        period_start   timestamptz NOT NULL,
        wrapped        text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        destroyed_at   timestamptz,
        destroyed_for  text CHECK (destroyed_for IN ('retention', 'erasure')),
        CONSTRAINT tenant_data_keys_destroyed CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL) AND (destroyed_at IS NULL) = (destroyed_for IS NULL))
      )`);
    // At most one live key per tenant and day; destroyed ones stay as the record.
    await db.query(`CREATE UNIQUE INDEX tenant_data_keys_live ON tenant_data_keys (tenant_id, period_start) WHERE destroyed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS tenant_data_keys`);
  }
}

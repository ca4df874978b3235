import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payloads are sealed with their tenant's data key (MessageReceived schema_version 3):
 *
 * - `messages.sealed_data` holds the sealed payload (`hlp1.…`); `data` keeps the plain text only of
 *   rows projected from legacy events, until migration 1732400000069 seals those too. Exactly one
 *   of them is set. No rebuild: every existing row came from a plaintext event and stays as it is.
 * - `tenants.payload_retention_days` (null = keep) and `tenants.erased_at` are projected from the
 *   tenant's events (TenantCreated/TenantUpdated, TenantErased); every existing tenant keeps its
 *   payloads and was never erased, which is what a rebuild would give.
 */
export class SealedPayloads1732400000063 implements MigrationInterface {
  name = 'SealedPayloads1732400000063';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages ADD COLUMN sealed_data text, ALTER COLUMN data DROP NOT NULL`);
    await db.query(`ALTER TABLE messages ADD CONSTRAINT messages_one_payload CHECK ((data IS NULL) <> (sealed_data IS NULL))`);
    await db.query(`ALTER TABLE tenants ADD COLUMN payload_retention_days integer CHECK (payload_retention_days >= 1), ADD COLUMN erased_at timestamptz`);
    // The retention task walks the tenants that have one.
    await db.query(`CREATE INDEX tenants_payload_retention ON tenants (id) WHERE payload_retention_days IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tenants DROP COLUMN payload_retention_days, DROP COLUMN erased_at`);
    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_one_payload`);
    await db.query(`DELETE FROM messages WHERE data IS NULL`);
    await db.query(`ALTER TABLE messages DROP COLUMN sealed_data, ALTER COLUMN data SET NOT NULL`);
  }
}

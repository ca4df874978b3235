import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event id is the publisher's dedup key, and publishers are tenants: two tenants may both send
 * `order-1001`. With `messages.id` the primary key, the second tenant's event was dropped as a
 * duplicate of the first's after a 202. Messages are now keyed by (tenant_id, id); deliveries
 * already name their tenant, and every join from a delivery to its message uses both columns.
 * The index on id alone serves the lookups of keys that work across tenants (which may find one
 * row per tenant).
 */
export class EventIdsPerTenant1732400000013 implements MigrationInterface {
  name = 'EventIdsPerTenant1732400000013';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE messages SET tenant_id = 'default' WHERE tenant_id IS NULL`);
    await db.query(`ALTER TABLE messages ALTER COLUMN tenant_id SET NOT NULL`);
    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_pkey, ADD CONSTRAINT messages_pkey PRIMARY KEY (tenant_id, id)`);
    await db.query(`CREATE INDEX IF NOT EXISTS messages_id ON messages (id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS messages_id`);
    // Fails if two tenants now share an id: which one to drop is not a migration's call.
    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_pkey, ADD CONSTRAINT messages_pkey PRIMARY KEY (id)`);
  }
}

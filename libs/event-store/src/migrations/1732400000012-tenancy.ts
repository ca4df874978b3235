import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, API keys and per-tenant usage. Everything a tenant owns (endpoints, events, deliveries,
 * replays) names it; what was written before tenants existed moves to the `default` tenant, which
 * also receives events published without a tenant.
 */
export class Tenancy1732400000012 implements MigrationInterface {
  name = 'Tenancy1732400000012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenants (
        id                    text        PRIMARY KEY,
        name                  text        NOT NULL,
        metadata              jsonb       NOT NULL DEFAULT '{}'::jsonb,
        max_endpoints         integer     CHECK (max_endpoints >= 0),
        max_events_per_month  bigint      CHECK (max_events_per_month >= 0),
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        deleted_at            timestamptz
      )`);
    await db.query(`INSERT INTO tenants (id, name) VALUES ('default', 'Default tenant')`);

    // Keys are 256 random bits: a SHA-256 digest is enough to store them (nothing to brute-force),
    // and it lets the guard find a key with one index lookup. The value itself is never stored.
    await db.query(`
      CREATE TABLE api_keys (
        id                text        PRIMARY KEY,
        name              text        NOT NULL DEFAULT '',
        role              text        NOT NULL CHECK (role IN ('admin', 'publisher', 'reader', 'auditor', 'portal')),
        tenant_id         text        REFERENCES tenants (id),
        digest            bytea       NOT NULL UNIQUE,
        prefix            text        NOT NULL,
        rate_limit_per_s  integer     CHECK (rate_limit_per_s > 0),
        created_by        text        NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        expires_at        timestamptz,
        revoked_at        timestamptz,
        CHECK (role <> 'portal' OR (tenant_id IS NOT NULL AND expires_at IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id)`);
    await db.query(`CREATE INDEX api_keys_expiry ON api_keys (expires_at) WHERE expires_at IS NOT NULL`);

    // Events accepted per tenant and calendar month (UTC), counted as the API accepts them.
    await db.query(`
      CREATE TABLE tenant_usage (
        tenant_id  text   NOT NULL,
        month      date   NOT NULL,
        events     bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, month)
      )`);

    for (const table of ['endpoints', 'messages', 'deliveries', 'replays']) {
      await db.query(`UPDATE ${table} SET tenant_id = 'default' WHERE tenant_id IS NULL`);
      await db.query(`ALTER TABLE ${table} ALTER COLUMN tenant_id SET DEFAULT 'default', ALTER COLUMN tenant_id SET NOT NULL`);
    }

    // Lists seen through a tenant-bound key are filtered by tenant, newest first.
    await db.query(`CREATE INDEX IF NOT EXISTS deliveries_tenant_id ON deliveries (tenant_id, id)`);
    await db.query(`CREATE INDEX IF NOT EXISTS messages_tenant_seq ON messages (tenant_id, seq)`);

    // Tenant-scoped audit queries: configuration changes carry their tenant in the metadata.
    await db.query(`CREATE INDEX events_tenant_position ON events ((metadata->>'tenant_id'), global_position) WHERE metadata ? 'tenant_id'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS events_tenant_position`);
    await db.query(`DROP INDEX IF EXISTS messages_tenant_seq`);
    await db.query(`DROP INDEX IF EXISTS deliveries_tenant_id`);
    for (const table of ['endpoints', 'messages', 'deliveries', 'replays']) {
      await db.query(`ALTER TABLE ${table} ALTER COLUMN tenant_id DROP NOT NULL, ALTER COLUMN tenant_id DROP DEFAULT`);
    }
    await db.query(`DROP TABLE IF EXISTS tenant_usage`);
    await db.query(`DROP TABLE IF EXISTS api_keys`);
    await db.query(`DROP TABLE IF EXISTS tenants`);
  }
}

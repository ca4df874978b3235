import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tenants` and `api_keys` become projections (issue 12), rebuilt from their streams alone:
 *
 * - Key digests move to `api_key_digests`, sealed key material written by the handlers that mint
 *   keys: a rebuild of `api_keys` cannot recreate them (no event holds them, and none may).
 * - `api_keys.tenant_id` loses its foreign key: each projection is emptied and rebuilt on its own.
 * - The `default` tenant (inserted by 1732400000012 with no event) gets the event it lacks,
 *   TenantRecorded, with the row as it stands, so folding its stream gives the tenant.
 * - Rows are set to what the projectors write from the events: a deleted tenant's deleted_at was
 *   the app's clock (now its event's recorded_at), and portal tokens pruned a day after expiry
 *   come back (reads skip them as before), so rebuilding changes no row.
 */
export class TenancyProjections1732400000025 implements MigrationInterface {
  name = 'TenancyProjections1732400000025';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE api_key_digests (key_id text PRIMARY KEY, digest bytea NOT NULL UNIQUE)`);
    await db.query(`INSERT INTO api_key_digests (key_id, digest) SELECT id, digest FROM api_keys`);
    await db.query(`ALTER TABLE api_keys DROP COLUMN digest`);
    await db.query(`ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_tenant_id_fkey`);

    await db.query(`
      INSERT INTO api_keys (id, name, role, tenant_id, prefix, rate_limit_per_s, created_by, created_at, expires_at, revoked_at)
      SELECT c.data->>'id', c.data->>'name', c.data->>'role', c.data->>'tenant_id', c.data->>'prefix',
             (c.data->>'rate_limit_per_s')::integer, coalesce(c.metadata->>'actor', 'unknown'), c.recorded_at,
             (c.data->>'expires_at')::timestamptz,
             (SELECT min(r.recorded_at) FROM events r WHERE r.stream_id = c.stream_id AND r.type = 'ApiKeyRevoked')
        FROM events c
       WHERE c.type = 'ApiKeyCreated' AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = c.data->>'id')`);

    await db.query(`
      UPDATE tenants t SET deleted_at = e.recorded_at, updated_at = e.recorded_at
        FROM events e WHERE e.stream_id = 'tenant-' || t.id AND e.type = 'TenantDeleted'`);
    // Projectors get recorded_at as a JavaScript Date: milliseconds. Rows stamped by SQL's now() had microseconds.
    await db.query(`
      UPDATE tenants SET created_at = date_trunc('milliseconds', created_at), updated_at = date_trunc('milliseconds', updated_at),
                         deleted_at = date_trunc('milliseconds', deleted_at)`);
    await db.query(`UPDATE api_keys SET created_at = date_trunc('milliseconds', created_at), revoked_at = date_trunc('milliseconds', revoked_at)`);

    const [defaultTenant]: { data: string; version: number }[] = await db.query(`
      SELECT jsonb_build_object(
               'id', t.id, 'name', t.name, 'metadata', t.metadata, 'max_endpoints', t.max_endpoints,
               'max_events_per_month', t.max_events_per_month::text,
               'created_at', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text AS data,
             coalesce((SELECT s.version FROM streams s WHERE s.stream_id = 'tenant-default'), 0) AS version
        FROM tenants t
       WHERE t.id = 'default'
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'tenant-default' AND e.type IN ('TenantCreated', 'TenantRecorded'))`);
    if (!defaultTenant) return;
    await db.query(
      `SELECT * FROM hl_append_events(ARRAY['tenant-default'], ARRAY['tenant'], ARRAY[$1::integer], ARRAY['tenant-default'],
         ARRAY['TenantRecorded'], ARRAY[1::smallint], ARRAY[$2::jsonb], ARRAY['{"actor": "system:migration", "tenant_id": "default"}'::jsonb])`,
      [defaultTenant.version, defaultTenant.data],
    );
    // What the projector writes for it: updated_at is the event's recorded_at, this transaction's now().
    await db.query(`UPDATE tenants SET updated_at = date_trunc('milliseconds', now()) WHERE id = 'default'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM api_keys k WHERE NOT EXISTS (SELECT 1 FROM api_key_digests d WHERE d.key_id = k.id)`);
    await db.query(`ALTER TABLE api_keys ADD COLUMN digest bytea`);
    await db.query(`UPDATE api_keys k SET digest = d.digest FROM api_key_digests d WHERE d.key_id = k.id`);
    await db.query(`ALTER TABLE api_keys ALTER COLUMN digest SET NOT NULL, ADD CONSTRAINT api_keys_digest_key UNIQUE (digest)`);
    await db.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id)`);
    await db.query(`DROP TABLE api_key_digests`);
  }
}

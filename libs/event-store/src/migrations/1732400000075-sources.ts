import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incoming-webhook sources (`/v1/sources`, `/in/:source_id`): the `sources` projection, written by
 * the `sources` projector from the `source-<id>` streams only. Secrets are not here: `signing_keys`
 * names the rows of `endpoint_keys` that hold them sealed (newest first, each with its end), as
 * the endpoints' column does. The ingress reads a row by id on every request; lists page a tenant's
 * sources newest first.
 */
export class Sources1732400000075 implements MigrationInterface {
  name = 'Sources1732400000075';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sources (
        id           text        PRIMARY KEY,
        tenant_id    text        NOT NULL,
        type         text        NOT NULL,
        name         text        NOT NULL,
        signing_keys jsonb       NOT NULL,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL,
        deleted_at   timestamptz,
        version      integer     NOT NULL
      )`);
    await db.query(`CREATE INDEX sources_tenant_id ON sources (tenant_id, id) WHERE deleted_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sources`);
  }
}

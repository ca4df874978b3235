import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scheduler deletes ad-hoc destinations once their deliveries have ended and the retention
 * has passed. Its question ("which live ad-hoc endpoints are older than the retention?") runs
 * every few seconds; this partial index answers it without reading the tenants' ordinary
 * endpoints, and stays as small as the number of ad-hoc destinations alive.
 */
export class AdhocExpiry1732400000015 implements MigrationInterface {
  name = 'AdhocExpiry1732400000015';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX IF NOT EXISTS endpoints_adhoc_live ON endpoints (created_at) WHERE adhoc AND deleted_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS endpoints_adhoc_live`);
  }
}

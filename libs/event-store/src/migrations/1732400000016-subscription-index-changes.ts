import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental subscription index. Ingest used to reload every tenant's endpoints whenever any
 * endpoint changed; now each row that changes how events are routed is stamped with the
 * `subscription_index.version` its transaction took, and ingest reads only rows stamped after the
 * version it last saw.
 *
 * Why "stamped after" never misses a row: every stamp takes the lock on the one `subscription_index`
 * row and holds it until commit, so versions commit in the order they were taken. A snapshot that
 * sees version V therefore sees every row stamped V or lower, and the next reload (`> V`) sees the
 * rest. Removing rows leaves nothing to stamp, so DELETE and TRUNCATE set `reset_version`, which
 * makes ingest reload everything once.
 *
 * A trigger does the stamping so that no writer of `endpoints` can forget it: an UPDATE that
 * leaves the routing columns as they were (a URL, a secret rotation, a pause) stamps nothing and
 * moves no version, and an ad-hoc destination, never in the index, stamps nothing either.
 */
export class SubscriptionIndexChanges1732400000016 implements MigrationInterface {
  name = 'SubscriptionIndexChanges1732400000016';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE subscription_index ADD COLUMN reset_version bigint NOT NULL DEFAULT 0`);
    // Rows written before this migration keep 0: ingest's first load after start reads every row anyway.
    await db.query(`ALTER TABLE endpoints ADD COLUMN index_version bigint NOT NULL DEFAULT 0`);
    await db.query(`CREATE INDEX endpoints_index_version ON endpoints (index_version)`);
    await db.query(`
      CREATE FUNCTION endpoints_stamp_index_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND (NEW.tenant_id, NEW.event_types, NEW.channels, NEW.active, NEW.filter, NEW.deleted_at, NEW.adhoc)
               IS NOT DISTINCT FROM (OLD.tenant_id, OLD.event_types, OLD.channels, OLD.active, OLD.filter, OLD.deleted_at, OLD.adhoc) THEN
          NEW.index_version := OLD.index_version;
          RETURN NEW;
        END IF;
        IF NEW.adhoc AND (TG_OP = 'INSERT' OR OLD.adhoc) THEN
          RETURN NEW;
        END IF;
        UPDATE subscription_index SET version = version + 1 WHERE id = 1 RETURNING version INTO NEW.index_version;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER endpoints_stamp_index_version BEFORE INSERT OR UPDATE ON endpoints
        FOR EACH ROW EXECUTE FUNCTION endpoints_stamp_index_version()`);
    await db.query(`
      CREATE FUNCTION endpoints_reset_subscription_index() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE subscription_index SET version = version + 1, reset_version = version + 1 WHERE id = 1;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER endpoints_reset_subscription_index AFTER DELETE OR TRUNCATE ON endpoints
        FOR EACH STATEMENT EXECUTE FUNCTION endpoints_reset_subscription_index()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER IF EXISTS endpoints_reset_subscription_index ON endpoints`);
    await db.query(`DROP TRIGGER IF EXISTS endpoints_stamp_index_version ON endpoints`);
    await db.query(`DROP FUNCTION IF EXISTS endpoints_reset_subscription_index()`);
    await db.query(`DROP FUNCTION IF EXISTS endpoints_stamp_index_version()`);
    await db.query(`ALTER TABLE endpoints DROP COLUMN IF EXISTS index_version`);
    await db.query(`ALTER TABLE subscription_index DROP COLUMN IF EXISTS reset_version`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `event_types` becomes the `event-types` projection: its rows now come from the catalog's
 * events alone, and each carries its stream version, which publishing caches compiled schemas by.
 * Existing rows take their stream's version; their timestamps stay (a rebuild sets archived_at to
 * the archive event's recorded_at, which the old code stamped from the app's clock instead).
 */
export class EventTypesProjection1732400000020 implements MigrationInterface {
  name = 'EventTypesProjection1732400000020';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE event_types ADD COLUMN version integer NOT NULL DEFAULT 0`);
    await db.query(`
      UPDATE event_types t SET version = s.version
        FROM streams s WHERE s.stream_id = 'event-type-' || t.name`);
    await db.query(`ALTER TABLE event_types ALTER COLUMN version DROP DEFAULT`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE event_types DROP COLUMN version`);
  }
}

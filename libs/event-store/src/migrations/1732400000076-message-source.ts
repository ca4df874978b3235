import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `messages.source_id`: the incoming-webhook source that brought a message (MessageReceived
 * schema_version 4), for `GET /v1/events/:id`. Null for every other message. No row needs filling:
 * version 4 events are written only from this release on, and the projector sets the column.
 */
export class MessageSource1732400000076 implements MigrationInterface {
  name = 'MessageSource1732400000076';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages ADD COLUMN source_id text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages DROP COLUMN source_id`);
  }
}

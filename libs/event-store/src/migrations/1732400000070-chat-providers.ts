import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat providers as endpoint types: `type` (every existing endpoint is a webhook), the provider's
 * options (a Telegram bot token only as the id of its sealed key in endpoint_keys) and the
 * message template. Projection columns, written by the endpoints projector from the events.
 */
export class ChatProviders1732400000070 implements MigrationInterface {
  name = 'ChatProviders1732400000070';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE endpoints
        ADD COLUMN IF NOT EXISTS type text NOT NULL DEFAULT 'webhook' CHECK (type IN ('webhook', 'slack', 'discord', 'telegram')),
        ADD COLUMN IF NOT EXISTS provider jsonb,
        ADD COLUMN IF NOT EXISTS template text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE endpoints DROP COLUMN IF EXISTS template, DROP COLUMN IF EXISTS provider, DROP COLUMN IF EXISTS type`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `messages`, `deliveries` and `attempts` become inline projections (issue 12), written only from
 * MessageReceived and the delivery events:
 *
 * - `messages.seq` is the MessageReceived's global position, not an identity value: a rebuild
 *   cannot draw the live identity values again (rolled-back inserts leave gaps), and the API's
 *   event cursors are seq. Existing rows take their event's position.
 * - The scheduler no longer clears `deliveries.due_at` when it publishes a due dispatch (a change
 *   with no event, which a rebuild would undo): `due_at` is projected, and what the scheduler
 *   published is its own operational state, `delivery_dispatch_claims` — a delivery is due when
 *   due_at <= now() and it has no claim at its current version. Rows it cleared by hand get their
 *   projected due_at back, with a claim at their version (their dispatch was published).
 */
export class MessageDeliveryProjections1732400000035 implements MigrationInterface {
  name = 'MessageDeliveryProjections1732400000035';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_seq_key`);
    await db.query(`ALTER TABLE messages ALTER COLUMN seq DROP IDENTITY IF EXISTS`);
    await db.query(`
      UPDATE messages m SET seq = e.position
        FROM (SELECT DISTINCT ON (coalesce(data->>'tenant_id', 'default'), data->>'id')
                     coalesce(data->>'tenant_id', 'default') AS tenant_id, data->>'id' AS id, global_position AS position
                FROM events WHERE type = 'MessageReceived'
               ORDER BY coalesce(data->>'tenant_id', 'default'), data->>'id', global_position) e
       WHERE e.tenant_id = m.tenant_id AND e.id = m.id`);
    await db.query(`ALTER TABLE messages ADD CONSTRAINT messages_seq_key UNIQUE (seq)`);

    await db.query(`
      CREATE TABLE delivery_dispatch_claims (
        delivery_id text        PRIMARY KEY,
        -- the delivery's stream version when its dispatch was published; any later event releases it
        version     integer     NOT NULL,
        claimed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      WITH projected AS (
        SELECT d.id, d.version,
               CASE last.type WHEN 'DeliveryRetryScheduled' THEN (last.data->>'next_attempt_at')::timestamptz
                              WHEN 'DeliveryDeferred' THEN d.created_at END AS due_at
          FROM deliveries d
          CROSS JOIN LATERAL (SELECT e.type, e.data FROM events e
                               WHERE e.stream_id = 'delivery-' || d.id AND e.type <> 'DeliveryRequeued'
                               ORDER BY e.stream_version DESC LIMIT 1) last
         WHERE d.due_at IS NULL AND d.status IN ('pending', 'retrying')
      ), claimed AS (
        INSERT INTO delivery_dispatch_claims (delivery_id, version)
        SELECT id, version FROM projected WHERE due_at IS NOT NULL
      )
      UPDATE deliveries d SET due_at = p.due_at FROM projected p WHERE p.id = d.id AND p.due_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE deliveries d SET due_at = NULL FROM delivery_dispatch_claims c WHERE c.delivery_id = d.id AND c.version = d.version`);
    await db.query(`DROP TABLE delivery_dispatch_claims`);
    await db.query(`ALTER TABLE messages ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY`);
    await db.query(`SELECT setval(pg_get_serial_sequence('messages', 'seq'), coalesce((SELECT max(seq) FROM messages), 0) + 1, false)`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The types a delivery appends, one or more of each per message delivered: nearly every row of
 * `events`. Keep in step with libs/domain when a delivery's events change (a type missing here is
 * only indexed for nothing; a rare type listed here is only found by a scan of the positions).
 */
const DELIVERY_PATH_TYPES = [
  'MessageReceived', 'DeliveryScheduled', 'DeliveryAttempted', 'DeliverySucceeded', 'DeliveryFailed', 'DeliveryRetryScheduled', 'DeliveryDeferred',
];

/**
 * `events_type_position` (type, global_position) only ever helps to find the rare types: a rebuild
 * of the endpoints, tenants, keys or sources projections (`type = ANY($1)`, replanned with its
 * values), and the audit log filtered by type for a principal without a tenant. The delivery path's
 * types are so dense that every reader of them walks the primary key or
 * (transaction_id, global_position) instead — the planner does so even with the index there (the
 * deliveries rebuild, and the typed catch-up of endpoint-health, which orders by transaction). Yet
 * every delivery paid for the index on each of its events, and it was as large as the
 * (stream_id, stream_version) index. It now holds only the other types. The other indexes stay:
 * the unique (stream_id, stream_version) serves the chains, loadStream and the verifiers;
 * (transaction_id, global_position) every catch-up reader, the checkpoints and the export;
 * the partial tenant index the audit log (tiny: the delivery path's metadata names no tenant).
 */
export class SlimEventsTypeIndex1732400000091 implements MigrationInterface {
  name = 'SlimEventsTypeIndex1732400000091';

  async up(db: QueryRunner): Promise<void> {
    const types = DELIVERY_PATH_TYPES.map((type) => `'${type}'`).join(', ');
    await db.query(`CREATE INDEX events_rare_type_position ON events (type, global_position) WHERE type NOT IN (${types})`);
    await db.query(`DROP INDEX events_type_position`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX events_type_position ON events (type, global_position)`);
    await db.query(`DROP INDEX events_rare_type_position`);
  }
}

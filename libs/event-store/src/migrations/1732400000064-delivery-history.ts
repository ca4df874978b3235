import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { RebuildsProjections } from '../migrate';

/**
 * The delivery history (issue 13, `GET /v1/audit/deliveries`): each attempt row carries what its
 * DeliveryAttempted says about the request as sent and where that event sits in the ledger.
 *
 * - `ledger_position`: the global position of the attempt's DeliveryAttempted, the way from a row
 *   to the hash-chained event (and to a checkpoint or an export that covers it).
 * - `tenant_id`, `message_id`, `event_type`: copied from the delivery, so the history filters and
 *   sorts on one table, tenant first, without joining `deliveries` across a time window.
 * - `request_method`, `request_headers`, `body_sha256`, `signature`: schema_version 2 only (a
 *   version 1 attempt recorded no request; they stay null).
 * - `sealed_response_body`: version 2's answer, sealed with the tenant's data key; version 1 rows
 *   keep their plain `response_body` (the legacy sealing migration of the payload work seals those).
 *
 * The columns are the projector's to fill: the runner rebuilds `deliveries` from the store, so
 * existing rows get them from their events, not from SQL mirroring the projector.
 */
export class DeliveryHistory1732400000064 implements MigrationInterface, RebuildsProjections {
  name = 'DeliveryHistory1732400000064';
  readonly rebuilds = ['deliveries'];

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE attempts
        ADD COLUMN tenant_id            text,
        ADD COLUMN message_id           text,
        ADD COLUMN event_type           text,
        ADD COLUMN ledger_position      bigint,
        ADD COLUMN request_method       text,
        ADD COLUMN request_headers      jsonb,
        ADD COLUMN body_sha256          text,
        ADD COLUMN signature            jsonb,
        ADD COLUMN sealed_response_body text`);
    // The history pages newest first on (started_at, id) within each filter; the breaker's window
    // and streak queries read an endpoint's attempts on the same order.
    await db.query(`DROP INDEX IF EXISTS attempts_endpoint_started`);
    await db.query(`CREATE INDEX attempts_endpoint_started ON attempts (endpoint_id, started_at, id)`);
    await db.query(`CREATE INDEX attempts_tenant_started ON attempts (tenant_id, started_at, id)`);
    await db.query(`CREATE INDEX attempts_tenant_type_started ON attempts (tenant_id, event_type, started_at, id)`);
    // Across tenants (an operator's key); and the failures alone, the auditors' usual question,
    // which would otherwise walk every success of a window to find them.
    await db.query(`CREATE INDEX attempts_started ON attempts (started_at, id)`);
    await db.query(`CREATE INDEX attempts_failed_started ON attempts (tenant_id, started_at, id) WHERE outcome <> 'http_2xx'`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const index of ['attempts_tenant_started', 'attempts_tenant_type_started', 'attempts_started', 'attempts_failed_started', 'attempts_endpoint_started']) {
      await db.query(`DROP INDEX IF EXISTS ${index}`);
    }
    await db.query(`CREATE INDEX attempts_endpoint_started ON attempts (endpoint_id, started_at)`);
    await db.query(`
      ALTER TABLE attempts
        DROP COLUMN tenant_id, DROP COLUMN message_id, DROP COLUMN event_type, DROP COLUMN ledger_position, DROP COLUMN request_method,
        DROP COLUMN request_headers, DROP COLUMN body_sha256, DROP COLUMN signature, DROP COLUMN sealed_response_body`);
  }
}

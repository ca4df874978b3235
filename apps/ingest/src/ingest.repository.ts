import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IngestCommand } from '@hookledger/contracts';

export interface NewDelivery {
  readonly id: string;
  readonly message_id: string;
  readonly endpoint_id: string;
  readonly tenant_id: string;
  readonly event_type: string;
}

export interface DeliveryToDispatch {
  readonly id: string;
  readonly version: number;
}

/** The ingest write path: a handful of set-based statements per batch, none per message. */
@Injectable()
export class IngestRepository {
  /** Inserts the messages not seen before; returns the ids that were new. */
  async insertMessages(tx: EntityManager, commands: readonly IngestCommand[]): Promise<Set<string>> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO messages (id, tenant_id, type, data, channels, timestamp)
       SELECT m.id, m.tenant_id, m.type, m.data, CASE WHEN m.channels = 'null'::jsonb THEN NULL
              ELSE ARRAY(SELECT jsonb_array_elements_text(m.channels)) END, m.timestamp
         FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::jsonb[], $6::timestamptz[])
              AS m(id, tenant_id, type, data, channels, timestamp)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        commands.map((c) => c.id),
        commands.map((c) => c.tenant_id ?? null),
        commands.map((c) => c.type),
        commands.map((c) => JSON.stringify(c.data)),
        commands.map((c) => JSON.stringify(c.channels && c.channels.length > 0 ? c.channels : null)),
        commands.map((c) => c.timestamp),
      ],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Of the endpoints a command targets by id, those that take deliveries (active, not deleted). */
  async deliverableEndpoints(tx: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await tx.query(`SELECT id FROM endpoints WHERE id = ANY($1::text[]) AND deleted_at IS NULL AND active`, [[...new Set(ids)]]);
    return new Set(rows.map((row) => row.id));
  }

  /** New deliveries, at stream version 1 (their DeliveryScheduled event). */
  async insertDeliveries(tx: EntityManager, deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await tx.query(
      `INSERT INTO deliveries (id, message_id, endpoint_id, tenant_id, event_type, status, attempts, version)
       SELECT d.id, d.message_id, d.endpoint_id, d.tenant_id, d.event_type, 'pending', 0, 1
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
              AS d(id, message_id, endpoint_id, tenant_id, event_type)`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.message_id),
        deliveries.map((d) => d.endpoint_id),
        deliveries.map((d) => d.tenant_id),
        deliveries.map((d) => d.event_type),
      ],
    );
  }

  /**
   * Deliveries of already-stored messages that have not been attempted yet. A batch replayed after
   * a crash between commit and publish finds its messages stored; their dispatch commands may never
   * have reached JetStream, so they are published again (the msgID dedups the ones that did).
   */
  async unattemptedDeliveries(tx: EntityManager, messageIds: readonly string[]): Promise<DeliveryToDispatch[]> {
    if (messageIds.length === 0) return [];
    return tx.query(
      `SELECT id, version FROM deliveries WHERE message_id = ANY($1::text[]) AND status = 'pending' AND attempts = 0 AND due_at IS NULL`,
      [messageIds],
    );
  }
}

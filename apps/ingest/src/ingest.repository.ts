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

/** An ingest command with its tenant settled (the default tenant when it named none). */
export type TenantCommand = IngestCommand & { readonly tenant_id: string };

/** One key per event: ids are unique within a tenant only. */
export const messageKey = (tenantId: string, id: string): string => `${tenantId}/${id}`;

export interface DeliveryToDispatch {
  readonly id: string;
  readonly version: number;
}

/** The ingest write path: a handful of set-based statements per batch, none per message. */
@Injectable()
export class IngestRepository {
  /**
   * Of the batch's messages, the keys (messageKey) of those already stored: a publisher retrying,
   * or a batch replayed after a crash. Only asked when the optimistic append found one.
   */
  async storedMessages(tx: EntityManager, commands: readonly TenantCommand[]): Promise<Set<string>> {
    const rows: { id: string; tenant_id: string }[] = await tx.query(
      `SELECT m.id, m.tenant_id FROM messages m JOIN unnest($1::text[], $2::text[]) AS c(tenant_id, id) ON m.tenant_id = c.tenant_id AND m.id = c.id`,
      [commands.map((c) => c.tenant_id), commands.map((c) => c.id)],
    );
    return new Set(rows.map((row) => messageKey(row.tenant_id, row.id)));
  }

  /**
   * Of the endpoints commands target by id, those that take deliveries (active, not deleted), with
   * their tenant: a command may only target its own tenant's endpoints, whoever put it on the bus.
   */
  async deliverableEndpoints(tx: EntityManager, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; tenant_id: string }[] = await tx.query(
      `SELECT id, tenant_id FROM endpoints WHERE id = ANY($1::text[]) AND deleted_at IS NULL AND active`,
      [[...new Set(ids)]],
    );
    return new Map(rows.map((row) => [row.id, row.tenant_id]));
  }

  /**
   * Deliveries of already-stored messages that have not been attempted yet. A batch replayed after
   * a crash between commit and publish finds its messages stored; their dispatch commands may never
   * have reached JetStream, so they are published again (the msgID dedups the ones that did).
   */
  async unattemptedDeliveries(tx: EntityManager, messages: readonly TenantCommand[]): Promise<DeliveryToDispatch[]> {
    if (messages.length === 0) return [];
    return tx.query(
      `SELECT d.id, d.version
         FROM unnest($1::text[], $2::text[]) AS m(tenant_id, id)
         JOIN deliveries d ON d.message_id = m.id AND d.tenant_id = m.tenant_id
        WHERE d.status = 'pending' AND d.attempts = 0 AND d.due_at IS NULL`,
      [messages.map((m) => m.tenant_id), messages.map((m) => m.id)],
    );
  }
}

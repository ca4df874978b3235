import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ingestMessageId } from '@hookledger/contracts';
import { messagePayloadContext } from '@hookledger/domain';
import { TenantDataKeys } from '@hookledger/secrets';
import type { EventResource } from './event.dto';

interface StoredMessageRow {
  seq: string;
  id: string;
  type: string;
  timestamp: Date;
  /** A legacy row's plain payload (json, parsed by the driver); null when sealed. */
  data: Record<string, unknown> | null;
  sealed_data: string | null;
  tenant_id: string;
  channels: string[] | null;
  /** The incoming-webhook source that brought it (read with a single event only, from its MessageReceived v4 or v5). */
  source_id?: string | null;
}

/** A message with its payload opened: `data` null and `purged_at` set once retention or erasure destroyed its key. */
export interface MessageRow extends Omit<StoredMessageRow, 'sealed_data'> {
  purged_at: Date | null;
}

export const toEventResource = (row: MessageRow): EventResource => ({
  id: row.id,
  type: row.type,
  timestamp: row.timestamp.toISOString(),
  data: row.data,
  ...(row.purged_at ? { purged_at: row.purged_at.toISOString() } : {}),
  tenant_id: row.tenant_id,
  channels: row.channels,
  ...(row.source_id ? { source_id: row.source_id } : {}),
});

export interface MessageFilter {
  readonly type?: string;
  readonly tenant_id?: string;
  readonly channel?: string;
  readonly since?: string;
  readonly until?: string;
}

/** Which tenants a lookup may see: one, or (for a key that works across tenants, said out loud) all of them. */
export const EVERY_TENANT = Symbol('every tenant');
export type MessageTenants = string | typeof EVERY_TENANT;

/**
 * Reads of the `messages` projection (published events as ingest stored them). An event id is the
 * publisher's, unique only within its tenant, so every lookup names the tenant(s) it may see:
 * there is no lookup by id alone to call by mistake.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly db: DataSource, private readonly dataKeys: TenantDataKeys) {}

  /** The messages with this id that the tenants may see; with EVERY_TENANT, one per tenant that has it. */
  async withId(tenants: MessageTenants, id: string): Promise<MessageRow[]> {
    return this.opened(await this.db.query(
      // The source is in the ledger only (the event that received it), read here for a single event's answer.
      `SELECT m.*, (SELECT e.data->'source'->>'id' FROM events e
                     WHERE e.stream_id = 'message-' || m.tenant_id || '/' || m.id AND e.type = 'MessageReceived' AND e.schema_version IN (4, 5)) AS source_id
         FROM messages m WHERE m.id = $1 AND ($2::text IS NULL OR m.tenant_id = $2) ORDER BY m.tenant_id LIMIT 100`,
      [id, tenants === EVERY_TENANT ? null : tenants],
    ));
  }

  /**
   * Of these (tenant, id) pairs, the events already stored, keyed by `<tenant>/<id>`
   * (ingestMessageId): a publish of one of them again is a duplicate.
   */
  async stored(events: readonly { readonly tenant_id: string; readonly id: string }[]): Promise<Map<string, { type: string; timestamp: Date }>> {
    if (events.length === 0) return new Map();
    const rows: { tenant_id: string; id: string; type: string; timestamp: Date }[] = await this.db.query(
      `SELECT m.tenant_id, m.id, m.type, m.timestamp
         FROM unnest($1::text[], $2::text[]) AS e(tenant_id, id)
         JOIN messages m ON m.tenant_id = e.tenant_id AND m.id = e.id`,
      [events.map((event) => event.tenant_id), events.map((event) => event.id)],
    );
    return new Map(rows.map((row) => [ingestMessageId(row.tenant_id, row.id), { type: row.type, timestamp: row.timestamp }]));
  }

  /** Newest first, keyset-paginated on the insertion sequence (client ids are not time-ordered). */
  async list(filter: MessageFilter, beforeSeq: string | null, limit: number): Promise<MessageRow[]> {
    return this.opened(await this.db.query(
      `SELECT * FROM messages
        WHERE ($1::bigint IS NULL OR seq < $1)
          AND ($2::text IS NULL OR type = $2)
          AND ($3::text IS NULL OR tenant_id = $3)
          AND ($4::text IS NULL OR $4 = ANY (channels))
          AND ($5::timestamptz IS NULL OR timestamp >= $5)
          AND ($6::timestamptz IS NULL OR timestamp < $6)
        ORDER BY seq DESC
        LIMIT $7`,
      [beforeSeq, filter.type ?? null, filter.tenant_id ?? null, filter.channel ?? null, filter.since ?? null, filter.until ?? null, limit],
    ));
  }

  /** The rows with their payloads opened, a page at once (keys cached; one read of tenant_data_keys for those that are not). */
  private async opened(rows: readonly StoredMessageRow[]): Promise<MessageRow[]> {
    const sealed = rows.filter((row) => row.sealed_data !== null);
    const opened = await this.dataKeys.openMany(sealed.map((row) => ({ sealed: row.sealed_data as string, tenantId: row.tenant_id, context: messagePayloadContext(row.tenant_id, row.id) })));
    const byRow = new Map(sealed.map((row, n) => [row, opened[n]]));
    return rows.map(({ sealed_data: _sealed, ...row }, n) => {
      const payload = byRow.get(rows[n]);
      if (!payload) return { ...row, purged_at: null };
      if (payload.text === null) return { ...row, data: null, purged_at: payload.purged_at };
      return { ...row, data: JSON.parse(payload.text) as Record<string, unknown>, purged_at: null };
    });
  }
}

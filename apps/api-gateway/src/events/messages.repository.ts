import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventResource } from './event.dto';

interface MessageRow {
  seq: string;
  id: string;
  type: string;
  timestamp: Date;
  data: Record<string, unknown>;
  tenant_id: string;
  channels: string[] | null;
}

export const toEventResource = (row: MessageRow): EventResource => ({
  id: row.id,
  type: row.type,
  timestamp: row.timestamp.toISOString(),
  data: row.data,
  tenant_id: row.tenant_id,
  channels: row.channels,
});

export interface MessageFilter {
  readonly type?: string;
  readonly tenant_id?: string;
  readonly channel?: string;
  readonly since?: string;
  readonly until?: string;
}

/** Reads of the `messages` projection (published events as ingest stored them). */
@Injectable()
export class MessagesRepository {
  constructor(private readonly db: DataSource) {}

  async find(id: string): Promise<MessageRow | null> {
    const rows: MessageRow[] = await this.db.query(`SELECT * FROM messages WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first, keyset-paginated on the insertion sequence (client ids are not time-ordered). */
  list(filter: MessageFilter, beforeSeq: string | null, limit: number): Promise<MessageRow[]> {
    return this.db.query(
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
    );
  }
}

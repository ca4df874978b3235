import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { keysInForce, SourceKeyReference, SourceType } from '@hookledger/domain';
import type { SourceResource } from './source.dto';

/** A row of the `sources` projection (libs/event-store sourcesProjector, its only writer). */
export interface SourceRow {
  id: string;
  tenant_id: string;
  type: SourceType;
  name: string;
  signing_keys: SourceKeyReference[];
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export const ingestUrl = (publicUrl: string, id: string): string => `${publicUrl}/in/${id}`;

export function toSourceResource(row: SourceRow, publicUrl: string, now = new Date()): SourceResource {
  return {
    id: row.id, type: row.type, name: row.name, tenant_id: row.tenant_id, ingest_url: ingestUrl(publicUrl, row.id),
    previous_secrets: keysInForce(row.signing_keys, now).slice(1).map((key) => ({ expires_at: key.expires_at! })),
    created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
  };
}

/** Reads sources; changes go through ./commands and reach the table through its projector. */
@Injectable()
export class SourcesRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * A source that exists (not deleted), within `tenantId` when the caller is bound to one. Only the
   * ingress looks a source up by id alone: there the id, with the signature, is the credential.
   */
  async find(id: string, tenantId: string | null = null): Promise<SourceRow | null> {
    const rows: SourceRow[] = await this.db.query(
      `SELECT * FROM sources WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR tenant_id = $2)`, [id, tenantId],
    );
    return rows[0] ?? null;
  }

  /** Newest first, before the cursor's id, within a tenant when one is named. */
  async list(filter: { before: string | null; tenantId: string | undefined }, limit: number): Promise<SourceRow[]> {
    return this.db.query(
      `SELECT * FROM sources
        WHERE deleted_at IS NULL AND ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [filter.tenantId ?? null, filter.before, limit],
    );
  }
}

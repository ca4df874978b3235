import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EventStore, NewEvent } from '@hookledger/event-store';
import { EndpointRow } from './endpoint-row';

export const endpointStream = (id: string) => `endpoint-${id}`;

/**
 * Endpoints are written through the event store: every change appends to `endpoint-<id>` and
 * updates the projection row in the same transaction, and bumps the subscription index version
 * so ingest reloads its matching index before the next batch.
 */
@Injectable()
export class EndpointsRepository {
  constructor(private readonly db: DataSource, private readonly store: EventStore) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(tx: EntityManager, row: Omit<EndpointRow, 'version' | 'created_at' | 'updated_at' | 'deleted_at' | 'disabled_reason'>, event: NewEvent): Promise<EndpointRow> {
    const [appended] = await this.store.append(tx, [{ streamId: endpointStream(row.id), streamType: 'endpoint', expectedVersion: 0, events: [event] }]);
    const rows: EndpointRow[] = await tx.query(
      `INSERT INTO endpoints (id, tenant_id, url, description, event_types, channels, active, headers, retry_schedule,
                              timeout_ms, rate_limit_per_s, metadata, secrets, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
      [row.id, row.tenant_id, row.url, row.description, row.event_types, row.channels, row.active, JSON.stringify(row.headers),
        row.retry_schedule, row.timeout_ms, row.rate_limit_per_s, JSON.stringify(row.metadata), JSON.stringify(row.secrets), appended.streamVersion],
    );
    await this.bumpSubscriptionIndex(tx);
    return rows[0];
  }

  /** Locks the row for the rest of the transaction. */
  async lock(tx: EntityManager, id: string): Promise<EndpointRow | null> {
    const rows: EndpointRow[] = await tx.query(`SELECT * FROM endpoints WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async update(tx: EntityManager, current: EndpointRow, next: EndpointRow, event: NewEvent): Promise<EndpointRow> {
    const [appended] = await this.store.append(tx, [
      { streamId: endpointStream(current.id), streamType: 'endpoint', expectedVersion: current.version, events: [event] },
    ]);
    // TypeORM answers an UPDATE on Postgres with [rows, affected count].
    const [rows]: [EndpointRow[], number] = await tx.query(
      `UPDATE endpoints SET url = $2, description = $3, event_types = $4, channels = $5, active = $6, disabled_reason = $7,
              headers = $8, retry_schedule = $9, timeout_ms = $10, rate_limit_per_s = $11, metadata = $12, secrets = $13,
              version = $14, updated_at = now(), deleted_at = $15
        WHERE id = $1 RETURNING *`,
      [current.id, next.url, next.description, next.event_types, next.channels, next.active, next.disabled_reason,
        JSON.stringify(next.headers), next.retry_schedule, next.timeout_ms, next.rate_limit_per_s, JSON.stringify(next.metadata),
        JSON.stringify(next.secrets), appended.streamVersion, next.deleted_at],
    );
    await this.bumpSubscriptionIndex(tx);
    return rows[0];
  }

  async find(id: string): Promise<EndpointRow | null> {
    const rows: EndpointRow[] = await this.db.query(`SELECT * FROM endpoints WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first. */
  async list(filter: { before: string | null; tenantId?: string }, limit: number): Promise<EndpointRow[]> {
    return this.db.query(
      `SELECT * FROM endpoints
        WHERE deleted_at IS NULL AND ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR tenant_id = $2)
        ORDER BY id DESC LIMIT $3`,
      [filter.before, filter.tenantId ?? null, limit],
    );
  }

  private async bumpSubscriptionIndex(tx: EntityManager): Promise<void> {
    await tx.query(`UPDATE subscription_index SET version = version + 1 WHERE id = 1`);
  }
}

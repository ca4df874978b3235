import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { NewEvent } from '../event';
import { EventStore } from '../event-store';

/** A row of the `endpoints` projection. */
export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  event_types: string[] | null;
  channels: string[] | null;
  active: boolean;
  disabled_reason: string | null;
  paused: boolean;
  headers: Record<string, string>;
  retry_schedule: number[] | null;
  timeout_ms: number | null;
  rate_limit_per_s: number | null;
  metadata: Record<string, string>;
  /** Authentication towards the receiver; the password or token sealed. */
  auth: SealedAuth | null;
  /** Conditions on the event's data (see libs/domain payload filters); null = every event. */
  filter: Record<string, unknown> | null;
  payload_format: 'envelope' | 'data';
  signature_profile: 'standard' | 'standard-ed25519' | 'github' | 'stripe' | 'hmac-hex';
  /** An ad-hoc destination: receives only the events published to it, never matched by subscriptions. */
  adhoc: boolean;
  secrets: SealedSecret[];
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/**
 * A signing secret sealed with SecretCipher; `expires_at` is set on the old one during a rotation's
 * grace period. For `standard-ed25519` the sealed value is the private key and `public_key` the
 * key receivers verify with (not secret).
 */
export interface SealedSecret {
  readonly sealed: string;
  readonly expires_at: string | null;
  readonly public_key?: string;
}

export type SealedAuth =
  | { readonly type: 'basic'; readonly username: string; readonly sealed: string }
  | { readonly type: 'bearer'; readonly sealed: string };

export type NewEndpointRow = Omit<EndpointRow, 'version' | 'created_at' | 'updated_at' | 'deleted_at' | 'disabled_reason' | 'paused' | 'adhoc'> & {
  readonly adhoc?: boolean;
};

export const endpointStream = (id: string) => `endpoint-${id}`;

/**
 * Endpoints are written through the event store: every change appends to `endpoint-<id>` and
 * updates the projection row in the same transaction. A change to how the endpoint is routed
 * stamps the row with a new subscription index version (a trigger, see migration
 * 1732400000016), so ingest reloads just that endpoint before its next batch. The API and the
 * scheduler (which disables failing endpoints) both change endpoints through here.
 */
@Injectable()
export class EndpointProjection {
  constructor(private readonly db: DataSource, private readonly store: EventStore) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(tx: EntityManager, row: NewEndpointRow, event: NewEvent): Promise<EndpointRow> {
    const [appended] = await this.store.append(tx, [{ streamId: endpointStream(row.id), streamType: 'endpoint', expectedVersion: 0, events: [event] }]);
    const rows: EndpointRow[] = await tx.query(
      `INSERT INTO endpoints (id, tenant_id, url, description, event_types, channels, active, headers, retry_schedule,
                              timeout_ms, rate_limit_per_s, metadata, secrets, version, auth, filter, payload_format,
                              signature_profile, adhoc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING *`,
      [row.id, row.tenant_id, row.url, row.description, row.event_types, row.channels, row.active, JSON.stringify(row.headers),
        row.retry_schedule, row.timeout_ms, row.rate_limit_per_s, JSON.stringify(row.metadata), JSON.stringify(row.secrets), appended.streamVersion,
        jsonOrNull(row.auth), jsonOrNull(row.filter), row.payload_format, row.signature_profile, row.adhoc ?? false],
    );
    return rows[0];
  }

  /** Locks the row for the rest of the transaction. */
  async lock(tx: EntityManager, id: string): Promise<EndpointRow | null> {
    const rows: EndpointRow[] = await tx.query(`SELECT * FROM endpoints WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** Appends `event` with the row's version as the expected one, and writes `next` as the new row. */
  async update(tx: EntityManager, current: EndpointRow, next: EndpointRow, event: NewEvent): Promise<EndpointRow> {
    const [appended] = await this.store.append(tx, [
      { streamId: endpointStream(current.id), streamType: 'endpoint', expectedVersion: current.version, events: [event] },
    ]);
    // TypeORM answers an UPDATE on Postgres with [rows, affected count].
    const [rows]: [EndpointRow[], number] = await tx.query(
      `UPDATE endpoints SET url = $2, description = $3, event_types = $4, channels = $5, active = $6, disabled_reason = $7,
              headers = $8, retry_schedule = $9, timeout_ms = $10, rate_limit_per_s = $11, metadata = $12, secrets = $13,
              version = $14, updated_at = now(), deleted_at = $15, paused = $16, auth = $17, filter = $18,
              payload_format = $19, signature_profile = $20
        WHERE id = $1 RETURNING *`,
      [current.id, next.url, next.description, next.event_types, next.channels, next.active, next.disabled_reason,
        JSON.stringify(next.headers), next.retry_schedule, next.timeout_ms, next.rate_limit_per_s, JSON.stringify(next.metadata),
        JSON.stringify(next.secrets), appended.streamVersion, next.deleted_at, next.paused, jsonOrNull(next.auth), jsonOrNull(next.filter),
        next.payload_format, next.signature_profile],
    );
    return rows[0];
  }

  /** Deletes the locked endpoint: inactive for good and out of every list, its row and stream kept for history. */
  delete(tx: EntityManager, current: EndpointRow, event: NewEvent): Promise<EndpointRow> {
    return this.update(tx, current, { ...current, active: false, disabled_reason: 'deleted', deleted_at: new Date() }, event);
  }

  async find(id: string): Promise<EndpointRow | null> {
    const rows: EndpointRow[] = await this.db.query(`SELECT * FROM endpoints WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  /**
   * Newest first; ad-hoc destinations only when asked for. `eventType` keeps the endpoints that
   * receive that type, matching subscriptions as libs/domain matchesEventType does.
   */
  async list(
    filter: { before: string | null; tenantId?: string; adhoc?: boolean; active?: boolean; eventType?: string },
    limit: number,
  ): Promise<EndpointRow[]> {
    return this.db.query(
      `SELECT * FROM endpoints
        WHERE deleted_at IS NULL AND ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR tenant_id = $2) AND adhoc = $4
          AND ($5::boolean IS NULL OR active = $5)
          AND ($6::text IS NULL OR coalesce(cardinality(event_types), 0) = 0 OR EXISTS (
                SELECT 1 FROM unnest(event_types) AS pattern
                 WHERE pattern IN ($6, '*') OR (right(pattern, 2) = '.*' AND starts_with($6, left(pattern, -1)))))
        ORDER BY id DESC LIMIT $3`,
      [filter.before, filter.tenantId ?? null, limit, filter.adhoc ?? false, filter.active ?? null, filter.eventType ?? null],
    );
  }
}

const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

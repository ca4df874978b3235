import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@hookledger/event-store';

export interface TenantRow {
  id: string;
  name: string;
  metadata: Record<string, string>;
  max_endpoints: number | null;
  /** bigint: node-postgres answers a string. */
  max_events_per_month: string | null;
  payload_retention_days: number | null;
  /** Only the fields set. */
  branding: { name?: string; logo_url?: string; accent_color?: string };
  erased_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface TenantUsageRow {
  endpoints: number;
  events_this_month: string;
}

/**
 * What tenant `t` uses: endpoints (ad-hoc destinations included, until the scheduler expires
 * them) and events accepted in the month given as $2.
 */
const USAGE_COLUMNS = `
  (SELECT count(*)::int FROM endpoints e WHERE e.tenant_id = t.id AND e.deleted_at IS NULL) AS endpoints,
  coalesce((SELECT u.events FROM tenant_usage u WHERE u.tenant_id = t.id AND u.month = $2::date), 0)::text AS events_this_month`;

/** The first day (UTC) of the month `at` falls in, as the `tenant_usage.month` key. */
export const monthOf = (at: Date): string => `${at.toISOString().slice(0, 7)}-01`;

/**
 * Reads of the `tenants` projection (its one writer is the tenants projector) and the monthly
 * counts in `tenant_usage`, operational state whose one writer is publish admission (below).
 */
@Injectable()
export class TenantsRepository {
  constructor(private readonly db: DataSource) {}

  /** Locks a live tenant for the rest of the transaction: creating an endpoint and deleting the tenant take this lock. */
  async lock(tx: EntityManager, id: string): Promise<TenantRow | null> {
    const rows: TenantRow[] = await tx.query(`SELECT * FROM tenants WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** Keys of the tenant still in force: a deleted tenant's sweep revokes them. */
  async liveKeyIds(tx: EntityManager, tenantId: string): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL ORDER BY id`, [tenantId]);
    return rows.map((row) => row.id);
  }

  async liveEndpointIds(tx: EntityManager, tenantId: string): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM endpoints WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id`, [tenantId]);
    return rows.map((row) => row.id);
  }

  /** Sources of the tenant still taking webhooks: a deleted tenant's sweep deletes them. */
  async liveSourceIds(tx: EntityManager, tenantId: string): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM sources WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id`, [tenantId]);
    return rows.map((row) => row.id);
  }

  async find(id: string): Promise<TenantRow | null> {
    const rows: TenantRow[] = await this.db.query(`SELECT * FROM tenants WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  /** A page of tenants with what each uses in `month`, in one query. */
  list(before: string | null, limit: number, month: string): Promise<(TenantRow & TenantUsageRow)[]> {
    return this.db.query(
      `SELECT t.*, ${USAGE_COLUMNS} FROM tenants t
        WHERE t.deleted_at IS NULL AND ($1::text IS NULL OR t.id < $1) ORDER BY t.id DESC LIMIT $3`,
      [before, month, limit],
    );
  }

  /** Endpoints (ad-hoc destinations aside) the tenant has, and events accepted for it in `month`. */
  async usage(on: EntityManager | DataSource, id: string, month: string): Promise<TenantUsageRow> {
    const rows: TenantUsageRow[] = await on.query(`SELECT ${USAGE_COLUMNS} FROM (SELECT $1::text AS id) t`, [id, month]);
    return rows[0];
  }

  /** Whether a live tenant has this id, and its monthly event quota (null = none). One prepared index lookup: it runs on every publish. */
  async eventQuota(id: string): Promise<{ max_events_per_month: string | null } | null> {
    const rows = await preparedQuery<{ max_events_per_month: string | null }>(
      this.db, 'hl_tenant_event_quota', `SELECT max_events_per_month FROM tenants WHERE id = $1 AND deleted_at IS NULL`, [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Counts `count` events against the tenant's month, unless that would pass its quota: one
   * statement, so concurrent publishers cannot both take the last of it. Answers the new total, or
   * null when the quota would be passed (or the tenant is gone). The count is usage bookkeeping,
   * not a promise made to a client: it commits without waiting for the WAL flush (a Postgres
   * crash may forget the last fraction of a second of counts), which keeps a publish from waiting
   * on a disk sync, and the row lock short.
   */
  async reserveEvents(id: string, month: string, count: number): Promise<string | null> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL synchronous_commit = off`);
      const rows: { events: string }[] = await tx.query(
        `WITH t AS (SELECT id, coalesce(max_events_per_month, 9223372036854775807) AS quota FROM tenants WHERE id = $1 AND deleted_at IS NULL)
         INSERT INTO tenant_usage AS u (tenant_id, month, events)
         SELECT t.id, $2::date, $3 FROM t WHERE $3 <= t.quota
         ON CONFLICT (tenant_id, month) DO UPDATE SET events = u.events + EXCLUDED.events
          WHERE u.events + EXCLUDED.events <= (SELECT quota FROM t)
         RETURNING events::text`,
        [id, month, count],
      );
      return rows[0]?.events ?? null;
    });
  }

  /**
   * Adds counts to tenants' months in one statement, committed as reserveEvents is. A negative
   * count gives back what an earlier one added (so its row exists), never going below zero.
   */
  async addEvents(counts: readonly { tenantId: string; month: string; events: number }[]): Promise<void> {
    if (counts.length === 0) return;
    await this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL synchronous_commit = off`);
      await tx.query(
        `INSERT INTO tenant_usage AS u (tenant_id, month, events)
         SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[])
         ON CONFLICT (tenant_id, month) DO UPDATE SET events = greatest(u.events + EXCLUDED.events, 0)`,
        [counts.map((c) => c.tenantId), counts.map((c) => c.month), counts.map((c) => c.events)],
      );
    });
  }
}

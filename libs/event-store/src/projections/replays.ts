import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { REPLAY_STATUS_FILTERS, ReplayStatusFilter } from '@hookledger/domain';

export { REPLAY_STATUS_FILTERS };
export type { ReplayStatusFilter };

/** A row of `replays`: a durable job that re-delivers an endpoint's deliveries created in [since, until). */
export interface ReplayRow {
  id: string;
  endpoint_id: string;
  tenant_id: string;
  since: Date;
  until: Date;
  status: ReplayStatusFilter;
  state: 'running' | 'completed';
  /** The id of the last delivery handled; pages continue after it. */
  cursor: string | null;
  total: number;
  dispatched: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** What a replay covers: the endpoint's deliveries created in [since, until) with this status ('all': any). */
export interface ReplayRange {
  readonly endpoint_id: string;
  readonly since: Date;
  readonly until: Date;
  readonly status: ReplayStatusFilter;
}

/** A delivery in a replay's page, with what a manual dispatch command for it needs. */
export interface ReplayTarget {
  readonly id: string;
  readonly attempts: number;
  readonly version: number;
  /** Manually attempted since the replay was created: by this replay before a crash, or by someone's retry. */
  readonly redelivered: boolean;
}

/**
 * Reads of replay jobs. Their rows are written by the `replays` projector alone, from the replay
 * streams; the API requests replays and the scheduler's ReplayRunner records each page as events.
 * Every statement that decides which deliveries a replay covers is here, so the count the API
 * records and the pages the runner sends cannot drift apart.
 */
@Injectable()
export class Replays {
  constructor(private readonly db: DataSource) {}

  /** How many deliveries a replay of `range` would re-deliver now: its `total`. */
  async countMatching(range: ReplayRange): Promise<number> {
    const rows: { total: number }[] = await this.db.query(
      `SELECT count(*)::int AS total FROM deliveries
        WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4::text = 'all' OR status = $4::text)`,
      [range.endpoint_id, range.since, range.until, range.status],
    );
    return rows[0].total;
  }

  async find(id: string): Promise<ReplayRow | null> {
    const rows: ReplayRow[] = await this.db.query(`SELECT * FROM replays WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first, keyset-paginated on the time-ordered id. */
  list(filter: { before: string | null; endpointId?: string; state?: ReplayRow['state']; tenantId?: string }, limit: number): Promise<ReplayRow[]> {
    return this.db.query(
      `SELECT * FROM replays
        WHERE ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR endpoint_id = $2) AND ($3::text IS NULL OR state = $3)
          AND ($5::text IS NULL OR tenant_id = $5)
        ORDER BY id DESC LIMIT $4`,
      [filter.before, filter.endpointId ?? null, filter.state ?? null, limit, filter.tenantId ?? null],
    );
  }

  /**
   * Locks the running replay that waited longest since its last page, so several replays take
   * turns and several schedulers work on different ones. A replay whose endpoint is paused or
   * disabled is held until it is resumed or enabled (its commands would only be deferred or
   * fail without an attempt); one whose endpoint was deleted is claimed so it can be closed.
   */
  async claimNext(tx: EntityManager): Promise<(ReplayRow & { endpoint_deleted: boolean }) | null> {
    const rows: (ReplayRow & { endpoint_deleted: boolean })[] = await tx.query(
      `SELECT r.*, e.deleted_at IS NOT NULL AS endpoint_deleted
         FROM replays r
         JOIN endpoints e ON e.id = r.endpoint_id
        WHERE r.state = 'running' AND ((e.active AND NOT e.paused) OR e.deleted_at IS NOT NULL)
        ORDER BY r.updated_at
        LIMIT 1
          FOR UPDATE OF r SKIP LOCKED`,
    );
    return rows[0] ?? null;
  }

  /**
   * The next page of the replay's deliveries, in id order after its cursor.
   *
   * A crash after the page's commands were published but before the cursor moved makes the
   * runner read this page again. By then some of its deliveries may have been re-sent and have
   * changed status (a failed one now succeeded) and version (so a fresh msgID would not be
   * dropped by JetStream). Counting a delivery manually attempted since the replay's creation as
   * part of the replay keeps the page the same, and marking it `redelivered` keeps it from being
   * sent twice.
   */
  async nextPage(tx: EntityManager, replay: ReplayRow, limit: number): Promise<ReplayTarget[]> {
    return tx.query(
      `SELECT id, attempts, version, redelivered
         FROM (SELECT d.id, d.attempts, d.version, d.status,
                      EXISTS (SELECT 1 FROM attempts a
                               WHERE a.delivery_id = d.id AND a.trigger = 'manual' AND a.started_at >= $6) AS redelivered
                 FROM deliveries d
                WHERE d.endpoint_id = $1 AND d.created_at >= $2 AND d.created_at < $3
                  AND ($5::text IS NULL OR d.id > $5)) candidate
        WHERE $4::text = 'all' OR status = $4::text OR redelivered
        ORDER BY id
        LIMIT $7`,
      [replay.endpoint_id, replay.since, replay.until, replay.status, replay.cursor, replay.created_at, limit],
    );
  }
}

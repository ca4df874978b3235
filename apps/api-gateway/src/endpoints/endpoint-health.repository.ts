import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The failure streak and last outcomes of an endpoint, from the async `endpoint-health` projection
 * (a scheduler tick behind the attempts at most); the circuit is in the endpoint's row.
 */
export interface EndpointHealthRow {
  consecutive_failures: number;
  failing_since: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
}

/** Attempt statistics over a sliding window. */
export interface AttemptWindowRow {
  requests: number;
  successes: number;
  /** p50, p95, p99 of duration_ms; null without attempts. */
  latency_ms: [number, number, number] | null;
}

/** Both reads are scoped by the endpoint's tenant, as every read of tenant data is, even after the route's guard. */
@Injectable()
export class EndpointHealthRepository {
  constructor(private readonly db: DataSource) {}

  /** Null when the endpoint never had an attempt recorded: a closed circuit and no failures. */
  async find(tenantId: string, endpointId: string): Promise<EndpointHealthRow | null> {
    const rows: EndpointHealthRow[] = await this.db.query(
      `SELECT h.consecutive_failures, h.failing_since, h.last_success_at, h.last_failure_at
         FROM endpoint_health h JOIN endpoints e ON e.id = h.endpoint_id
        WHERE h.endpoint_id = $1 AND e.tenant_id = $2`,
      [endpointId, tenantId],
    );
    return rows[0] ?? null;
  }

  /** Reads attempts(endpoint_id, started_at) through its index. */
  async window(tenantId: string, endpointId: string, seconds: number): Promise<AttemptWindowRow> {
    const rows: AttemptWindowRow[] = await this.db.query(
      `SELECT count(*)::int AS requests,
              (count(*) FILTER (WHERE outcome = 'http_2xx'))::int AS successes,
              percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms) AS latency_ms
         FROM attempts
        WHERE endpoint_id = $1 AND started_at >= now() - make_interval(secs => $2)
          AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = $1 AND e.tenant_id = $3)`,
      [endpointId, seconds, tenantId],
    );
    return rows[0];
  }
}

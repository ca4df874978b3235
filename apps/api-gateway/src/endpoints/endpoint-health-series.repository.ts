import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface HealthSeriesRow {
  bucket: number;
  requests: number;
  successes: number;
  /** p50, p95 of duration_ms; null without attempts. */
  latency_ms: [number, number] | null;
}

/**
 * Every bucket of the range, empty ones included, in one statement: each bucket reads its slice of
 * attempts(endpoint_id, started_at) through the index. Scoped by the tenant's own column, as every
 * read of tenant data is, even after the route's guard.
 */
const SERIES_SQL = `
  SELECT b.i AS bucket,
         count(a.started_at)::int AS requests,
         (count(a.started_at) FILTER (WHERE a.outcome = 'http_2xx'))::int AS successes,
         percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY a.duration_ms) AS latency_ms
    FROM generate_series(0, $4::int - 1) AS b(i)
    LEFT JOIN attempts a
      ON a.endpoint_id = $1 AND a.tenant_id = $2
     AND a.started_at >= $3::timestamptz + make_interval(secs => b.i * $5::int)
     AND a.started_at < least($3::timestamptz + make_interval(secs => (b.i + 1) * $5::int), $6::timestamptz)
   GROUP BY b.i
   ORDER BY b.i`;

@Injectable()
export class EndpointHealthSeriesRepository {
  constructor(private readonly db: DataSource) {}

  series(tenantId: string, endpointId: string, since: Date, until: Date, buckets: number, bucketSeconds: number): Promise<HealthSeriesRow[]> {
    return this.db.query(SERIES_SQL, [endpointId, tenantId, since.toISOString(), buckets, bucketSeconds, until.toISOString()]);
  }
}

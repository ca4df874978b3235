import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AttemptRow } from '../deliveries/delivery.resource';
import type { OutcomeFilter } from './delivery-history.dto';

export interface HistoryFilter {
  readonly tenantId: string | undefined;
  readonly endpointId: string | undefined;
  readonly eventType: string | undefined;
  readonly since: string | undefined;
  readonly until: string | undefined;
  readonly outcome: OutcomeFilter | undefined;
  /** The last row of the previous page: (started_at, id). */
  readonly before: { readonly startedAt: string; readonly id: string } | null;
  readonly limit: number;
}

/** An attempt row (as the deliveries API reads it) with what the history adds: its delivery, the request as sent, its ledger event. */
export interface HistoryRow extends AttemptRow {
  delivery_id: string;
  message_id: string;
  endpoint_id: string;
  tenant_id: string;
  event_type: string;
  request_method: string | null;
  request_headers: Record<string, string> | null;
  body_sha256: string | null;
  signature: { header: string; value: string } | null;
  ledger_position: string | null;
  stream_id: string | null;
  stream_version: number | null;
  hash: Buffer | null;
}

/**
 * The delivery history's one query: attempts newest first on (started_at, id), each filter an
 * equality or range on `attempts` alone (tenant, endpoint and event type are copied onto the row),
 * so an index on (filter…, started_at, id) answers the page without a sort; then, for the page
 * only, the DeliveryAttempted event by its global position (the events' primary key) for its
 * stream, version and hash. The filters are fixed fragments, not `$n IS NULL OR …`, so the
 * planner sees each query's real shape and the failures-only partial index can match.
 */
@Injectable()
export class DeliveryHistoryRepository {
  constructor(private readonly db: DataSource) {}

  /** Whether the endpoint is the tenant's — deleted ones too: their history outlives them. */
  async endpointIsTenants(endpointId: string, tenantId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM endpoints WHERE id = $1 AND tenant_id = $2`, [endpointId, tenantId]);
    return rows.length > 0;
  }

  page(filter: HistoryFilter): Promise<HistoryRow[]> {
    const { sql, params } = historyQuery(filter);
    return this.db.query(sql, params);
  }
}

export function historyQuery(filter: HistoryFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const bind = (value: unknown): string => `$${params.push(value)}`;
  if (filter.tenantId !== undefined) where.push(`a.tenant_id = ${bind(filter.tenantId)}`);
  if (filter.endpointId !== undefined) where.push(`a.endpoint_id = ${bind(filter.endpointId)}`);
  if (filter.eventType !== undefined) where.push(`a.event_type = ${bind(filter.eventType)}`);
  if (filter.since !== undefined) where.push(`a.started_at >= ${bind(filter.since)}::timestamptz`);
  if (filter.until !== undefined) where.push(`a.started_at < ${bind(filter.until)}::timestamptz`);
  if (filter.outcome === 'succeeded') where.push(`a.outcome = 'http_2xx'`);
  else if (filter.outcome === 'failed') where.push(`a.outcome <> 'http_2xx'`);
  else if (filter.outcome !== undefined) where.push(`a.outcome = ${bind(filter.outcome)}`);
  if (filter.before) where.push(`(a.started_at, a.id) < (${bind(filter.before.startedAt)}::timestamptz, ${bind(filter.before.id)}::text)`);
  const sql = `
    SELECT a.id, a.delivery_id, a.message_id, a.endpoint_id, a.tenant_id, a.event_type, a.attempt, a.trigger, a.url, a.started_at,
           a.duration_ms, a.status_code, a.outcome, a.error, a.response_body, a.sealed_response_body, a.request_method, a.request_headers,
           a.body_sha256, a.signature, a.ledger_position::text AS ledger_position, e.stream_id, e.stream_version, e.hash
      FROM (SELECT * FROM attempts a
             ${where.length > 0 ? `WHERE ${where.join('\n               AND ')}` : ''}
             ORDER BY a.started_at DESC, a.id DESC
             LIMIT ${bind(filter.limit)}) a
      LEFT JOIN events e ON e.global_position = a.ledger_position
     ORDER BY a.started_at DESC, a.id DESC`;
  return { sql, params };
}

import type { HookledgerConfig } from '@hookledger/config';
import type { EndpointRow } from '@hookledger/event-store';
import type { EndpointResource } from './endpoint.dto';

/** The fields a client may set; the same names in the row, the API and the EndpointCreated event. */
export const ENDPOINT_FIELDS = [
  'url', 'description', 'event_types', 'active', 'headers', 'retry_schedule', 'timeout_ms', 'rate_limit_per_s', 'channels', 'metadata',
] as const;

export function toEndpointResource(row: EndpointRow, config: HookledgerConfig): EndpointResource {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.event_types,
    active: row.active,
    disabled_reason: row.disabled_reason,
    paused: row.paused,
    headers: row.headers,
    retry_schedule: row.retry_schedule ?? [...config.delivery.retrySchedule],
    timeout_ms: row.timeout_ms ?? config.delivery.timeoutMs,
    rate_limit_per_s: row.rate_limit_per_s,
    tenant_id: row.tenant_id,
    channels: row.channels,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

import type { HookledgerConfig } from '@hookledger/config';
import type { EndpointRow, SealedAuth } from '@hookledger/event-store';
import type { EndpointAuthView, EndpointResource } from './endpoint.dto';

/** The fields a client may set; the same names in the row, the API and the EndpointCreated event. */
export const ENDPOINT_FIELDS = [
  'url', 'description', 'event_types', 'active', 'headers', 'retry_schedule', 'timeout_ms', 'rate_limit_per_s', 'channels', 'metadata',
  'filter', 'payload_format', 'signature_profile',
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
    auth: authView(row.auth),
    filter: row.filter,
    payload_format: row.payload_format,
    signature_profile: row.signature_profile,
    adhoc: row.adhoc,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** What answers and ledger events show of an endpoint's auth: never the password or token. */
export const authView = (auth: SealedAuth | null): EndpointAuthView | null =>
  auth === null ? null : auth.type === 'basic' ? { type: 'basic', username: auth.username } : { type: 'bearer' };

import type { HookledgerConfig } from '@hookledger/config';
import { authView, ENDPOINT_SETTING_FIELDS, EndpointSettings, providerView } from '@hookledger/domain';
import type { EndpointRow } from '@hookledger/event-store';
import type { EndpointResource } from './endpoint.dto';

/**
 * The settings a client gave (POST or PATCH), the same names in the API, the events and the row —
 * but `provider`, which may hold a bot token: the command handler seals it before it is a setting.
 */
export function givenSettings(input: Partial<Record<keyof EndpointSettings, unknown>>): Partial<EndpointSettings> {
  const given: Record<string, unknown> = {};
  for (const field of ENDPOINT_SETTING_FIELDS) if (field !== 'provider' && input[field] !== undefined) given[field] = input[field];
  return given as Partial<EndpointSettings>;
}

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
    type: row.type,
    provider: providerView(row.provider),
    template: row.template,
    adhoc: row.adhoc,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

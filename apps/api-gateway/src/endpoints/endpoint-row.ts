import type { HookledgerConfig } from '@hookledger/config';
import type { EndpointResource } from './endpoint.dto';

/** A row of the `endpoints` projection. */
export interface EndpointRow {
  id: string;
  tenant_id: string | null;
  url: string;
  description: string;
  event_types: string[] | null;
  channels: string[] | null;
  active: boolean;
  disabled_reason: string | null;
  headers: Record<string, string>;
  retry_schedule: number[] | null;
  timeout_ms: number | null;
  rate_limit_per_s: number | null;
  metadata: Record<string, string>;
  secrets: SealedSecret[];
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A signing secret sealed with SecretCipher; `expires_at` is set on the old one during a rotation's grace period. */
export interface SealedSecret {
  readonly sealed: string;
  readonly expires_at: string | null;
}

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

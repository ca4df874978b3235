import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CircuitState, EndpointAuthReference, EndpointProviderOptions, EndpointType, SigningKeyReference } from '@hookledger/domain';

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
  /** Authentication towards the receiver: the password or token is sealed in `endpoint_keys` under `auth.key_id`. */
  auth: EndpointAuthReference | null;
  /** Conditions on the event's data (see libs/domain payload filters); null = every event. */
  filter: Record<string, unknown> | null;
  payload_format: 'envelope' | 'data';
  signature_profile: 'standard' | 'standard-ed25519' | 'github' | 'stripe' | 'hmac-hex';
  /** webhook, or the chat provider whose API the dispatcher speaks. */
  type: EndpointType;
  /** The chat provider's options; a Telegram bot token is sealed in `endpoint_keys` under `provider.bot_token_key_id`. */
  provider: EndpointProviderOptions | null;
  /** Mustache template of a chat message's text; null = the default message. */
  template: string | null;
  /** An ad-hoc destination: receives only the events published to it, never matched by subscriptions. */
  adhoc: boolean;
  /** Newest first; the sealed keys are in `endpoint_keys`. */
  signing_keys: SigningKeyReference[];
  /** Signing keys issued over the endpoint's life (the legacy key ids count them). */
  keys_issued: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  /** The last enable: the breaker counts failures from here. */
  enabled_at: Date | null;
  /** The circuit breaker, from the EndpointCircuit… events on the endpoint's stream. */
  circuit_state: CircuitState;
  circuit_opened_at: Date | null;
  /** When an open circuit lets one probe through. */
  circuit_retry_at: Date | null;
  circuit_cooldown_s: number;
  /** While half-open: the delivery sent as the probe. */
  circuit_probe_delivery_id: string | null;
  circuit_changed_at: Date | null;
}

/**
 * Reads of the `endpoints` projection. Its one writer is `endpointsProjector`, inline in every
 * append to an endpoint stream (see endpoints.projector.ts); commands go through the endpoint
 * aggregate (AggregateRepository), never through here.
 */
@Injectable()
export class EndpointProjection {
  constructor(private readonly db: DataSource) {}

  async find(id: string): Promise<EndpointRow | null> {
    const rows: EndpointRow[] = await this.db.query(`SELECT * FROM endpoints WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  /**
   * Newest first; ad-hoc destinations only when asked for. `eventType` keeps the endpoints that
   * receive that type, matching subscriptions as libs/domain matchesEventType does (the reserved
   * `hookledger.` types only for endpoints that name them).
   */
  async list(
    filter: { before: string | null; tenantId?: string; adhoc?: boolean; active?: boolean; eventType?: string },
    limit: number,
  ): Promise<EndpointRow[]> {
    return this.db.query(
      `SELECT * FROM endpoints
        WHERE deleted_at IS NULL AND ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR tenant_id = $2) AND adhoc = $4
          AND ($5::boolean IS NULL OR active = $5)
          AND ($6::text IS NULL OR (coalesce(cardinality(event_types), 0) = 0 AND $6 !~* '^hookledger(\\.|$)') OR EXISTS (
                SELECT 1 FROM unnest(event_types) AS pattern
                 WHERE pattern = $6 OR (pattern = '*' AND $6 !~* '^hookledger(\\.|$)')
                    OR (right(pattern, 2) = '.*' AND starts_with($6, left(pattern, -1)))))
        ORDER BY id DESC LIMIT $3`,
      [filter.before, filter.tenantId ?? null, limit, filter.adhoc ?? false, filter.active ?? null, filter.eventType ?? null],
    );
  }
}

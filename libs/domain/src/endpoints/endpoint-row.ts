import { isCircuitEvent } from './endpoint-circuit-events';
import type { EndpointEvent } from './endpoint-events';
import type { EndpointAuthReference, EndpointSettings } from './endpoint-settings';
import type { SigningKeyReference } from './endpoint-signing-keys';
import type { CircuitState } from '../health/circuit-breaker';
import type { EndpointState } from './endpoint-state';

/** When the store recorded the events that shaped the row (events carry no clock; the store's `recorded_at` is it). */
export interface EndpointTimes {
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly deleted_at: Date | null;
  /** The last enable (EndpointEnabled, or a PATCH that turned `active` on): the breaker counts failures from here. */
  readonly enabled_at: Date | null;
  /** The circuit's last transition: how long a half-open circuit has waited for its probe. */
  readonly circuit_changed_at: Date | null;
}

/**
 * The `endpoints` row as the projector writes it, derived from events alone. No sealed material:
 * `auth` and `signing_keys` name keys in the key table. `version` is the stream version of the
 * last event applied, circuit transitions included, so it stays the expected version of the next
 * append.
 */
export type EndpointRowColumns = EndpointSettings & EndpointTimes & {
  id: string;
  tenant_id: string;
  disabled_reason: string | null;
  paused: boolean;
  adhoc: boolean;
  auth: EndpointAuthReference | null;
  signing_keys: readonly SigningKeyReference[];
  version: number;
  circuit_state: CircuitState;
  /** ISO-8601, as the EndpointCircuitOpened event says. */
  circuit_opened_at: string | null;
  circuit_retry_at: string | null;
  circuit_cooldown_s: number;
  circuit_probe_delivery_id: string | null;
};

/**
 * The times after one more event recorded at `recordedAt`, which turned the endpoint from `before`
 * into `after`. The row's times were the append transaction's now() before issue 12, which is what
 * the store records as `recorded_at`, so rebuilt rows equal live ones. A circuit transition is no
 * change to the endpoint's settings and leaves `updated_at` alone, as it did when circuits lived
 * only in endpoint_health. An enable is told by the state (inactive before, active after), not by
 * the event's type: old PATCH events recorded `active: true` even on an endpoint already active.
 */
export function advanceEndpointTimes(
  times: EndpointTimes | null, event: EndpointEvent, recordedAt: Date, before: EndpointState, after: EndpointState,
): EndpointTimes {
  if (event.type === 'EndpointCreated') {
    return { created_at: recordedAt, updated_at: recordedAt, deleted_at: null, enabled_at: null, circuit_changed_at: null };
  }
  const current = times ?? { created_at: recordedAt, updated_at: recordedAt, deleted_at: null, enabled_at: null, circuit_changed_at: null };
  if (isCircuitEvent(event)) return { ...current, circuit_changed_at: recordedAt };
  return {
    ...current,
    updated_at: recordedAt,
    ...(event.type === 'EndpointDeleted' && { deleted_at: recordedAt }),
    ...(!before.active && after.active && { enabled_at: recordedAt }),
  };
}

/** The row for an endpoint's state; null before it was created. */
export function endpointRow(state: EndpointState, times: EndpointTimes, version: number): EndpointRowColumns | null {
  if (state.status === 'absent') return null;
  return {
    id: state.id,
    tenant_id: state.tenant_id,
    url: state.url,
    description: state.description,
    event_types: state.event_types,
    active: state.active,
    disabled_reason: state.disabled_reason,
    paused: state.paused,
    headers: state.headers,
    retry_schedule: state.retry_schedule,
    timeout_ms: state.timeout_ms,
    rate_limit_per_s: state.rate_limit_per_s,
    channels: state.channels,
    metadata: state.metadata,
    auth: state.auth,
    filter: state.filter,
    payload_format: state.payload_format,
    signature_profile: state.signature_profile,
    type: state.type,
    provider: state.provider,
    template: state.template,
    adhoc: state.adhoc,
    signing_keys: state.signing_keys,
    version,
    circuit_state: state.circuit.state,
    circuit_opened_at: state.circuit.opened_at,
    circuit_retry_at: state.circuit.retry_at,
    circuit_cooldown_s: state.circuit.cooldown_s,
    circuit_probe_delivery_id: state.circuit.probe_delivery_id,
    created_at: times.created_at,
    updated_at: times.updated_at,
    deleted_at: times.deleted_at,
    enabled_at: times.enabled_at,
    circuit_changed_at: times.circuit_changed_at,
  };
}

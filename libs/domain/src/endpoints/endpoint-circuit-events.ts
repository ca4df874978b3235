import type { DomainEvent } from '../domain-event';
import { EndpointEventType } from './endpoint-events';

/**
 * The circuit breaker's transitions, on the endpoint's stream. Until issue 12 they lived only in
 * `endpoint_health` and the outbox, so no one could say from the ledger why deliveries to an
 * endpoint were held on a given day, and the health row could not be rebuilt.
 *
 * - `failures`: a closed circuit opened on sustained failure (the dispatcher's recordAttempts).
 * - `probe_failed`: the half-open probe failed; open again, for twice as long.
 * - `probe_lost`: the probe had no outcome in time (the scheduler's circuit prober); open again, to be probed at once.
 */
export type CircuitOpenReason = 'failures' | 'probe_failed' | 'probe_lost';

/**
 * - `delivery_succeeded`: an attempt succeeded (the probe, or a manual retry while open).
 * - `nothing_held`: the cool-down ended with no delivery waiting to probe with.
 * - `endpoint_enabled`: an operator enabled the endpoint, which starts its health afresh.
 * - `endpoint_disabled`: the system disabled it, releasing what the circuit held so it ends as endpoint_disabled.
 */
export type CircuitCloseReason = 'delivery_succeeded' | 'nothing_held' | 'endpoint_enabled' | 'endpoint_disabled';

export type EndpointCircuitOpenedData = {
  id: string;
  reason: CircuitOpenReason;
  /** ISO-8601: when it opened, and when the prober may let one probe through. */
  opened_at: string;
  retry_at: string;
  /** The cool-down in force; a failed probe doubles it (up to the policy's maximum). */
  cooldown_s: number;
  consecutive_failures: number;
  /** The sliding window that tripped it; null when a probe, not the window, decided. */
  window: { seconds: number; requests: number; failures: number } | null;
};
export type EndpointCircuitHalfOpenedData = { id: string; probe_delivery_id: string };
export type EndpointCircuitClosedData = { id: string; reason: CircuitCloseReason };

export type EndpointCircuitOpened = DomainEvent<'EndpointCircuitOpened', EndpointCircuitOpenedData>;
export type EndpointCircuitHalfOpened = DomainEvent<'EndpointCircuitHalfOpened', EndpointCircuitHalfOpenedData>;
export type EndpointCircuitClosed = DomainEvent<'EndpointCircuitClosed', EndpointCircuitClosedData>;
export type EndpointCircuitEvent = EndpointCircuitOpened | EndpointCircuitHalfOpened | EndpointCircuitClosed;

export const endpointCircuitOpened = (data: EndpointCircuitOpenedData): EndpointCircuitOpened => ({ type: EndpointEventType.EndpointCircuitOpened, schema_version: 1, data });
export const endpointCircuitHalfOpened = (data: EndpointCircuitHalfOpenedData): EndpointCircuitHalfOpened =>
  ({ type: EndpointEventType.EndpointCircuitHalfOpened, schema_version: 1, data });
export const endpointCircuitClosed = (data: EndpointCircuitClosedData): EndpointCircuitClosed => ({ type: EndpointEventType.EndpointCircuitClosed, schema_version: 1, data });

const CIRCUIT_EVENT_TYPES: ReadonlySet<string> = new Set([
  EndpointEventType.EndpointCircuitOpened, EndpointEventType.EndpointCircuitHalfOpened, EndpointEventType.EndpointCircuitClosed,
]);

/** Circuit transitions change how deliveries flow, not the endpoint's settings: they leave `updated_at` alone. */
export function isCircuitEvent(event: { readonly type: string }): event is EndpointCircuitEvent {
  return CIRCUIT_EVENT_TYPES.has(event.type);
}

import type { CloseEndpointCircuit, OpenEndpointCircuit } from '../endpoints/endpoint-commands';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitPolicy {
  /** Share of failed attempts in the window that opens the circuit (0–1]. */
  readonly failureRate: number;
  /** The rate counts only once the window holds at least this many attempts. */
  readonly minRequests: number;
  /** This many failures in a row open the circuit whatever the rate (low-traffic endpoints). */
  readonly consecutiveFailures: number;
  /** Wait before the first probe; doubles after each failed probe, up to maxCooldownSeconds. */
  readonly cooldownSeconds: number;
  readonly maxCooldownSeconds: number;
}

/** Attempts in the sliding window, including the ones being recorded. */
export interface WindowCounts {
  readonly requests: number;
  readonly failures: number;
}

/** What a batch of newly recorded attempts says about one endpoint, for its circuit. */
export interface AttemptsSeen {
  readonly anySuccess: boolean;
  readonly anyFailure: boolean;
  /** The endpoint's latest run of failed attempts (since its last success, or since it was enabled), these included. */
  readonly consecutiveFailures: number;
  readonly window: WindowCounts & { readonly seconds: number };
}

/** The circuit as its transitions left it on the endpoint's stream. */
export interface CircuitView {
  readonly state: CircuitState;
  readonly cooldown_s: number;
}

/**
 * What newly recorded attempts do to an endpoint's circuit: while open, its deliveries wait without
 * spending attempts; after the cool-down one probe is let through (half-open). A success closes a
 * circuit that is not closed; a failed probe opens it again for twice as long (capped); a closed
 * circuit opens on a run of consecutive failures, or on the window's failure rate once it holds
 * enough requests. Null: no transition. The endpoint decider still has the last word (a transition
 * another writer already made records nothing).
 */
export function circuitCommandAfterAttempts(
  endpointId: string,
  circuit: CircuitView,
  seen: AttemptsSeen,
  policy: CircuitPolicy,
  now: Date,
): OpenEndpointCircuit | CloseEndpointCircuit | null {
  if (circuit.state !== 'closed' && seen.anySuccess) return { type: 'CloseEndpointCircuit', endpoint_id: endpointId, reason: 'delivery_succeeded' };
  if (!seen.anyFailure) return null;
  const open = (reason: OpenEndpointCircuit['reason'], cooldown: number, window: OpenEndpointCircuit['window']): OpenEndpointCircuit => ({
    type: 'OpenEndpointCircuit', endpoint_id: endpointId, reason, retry_at: new Date(now.getTime() + cooldown * 1000), cooldown_s: cooldown,
    consecutive_failures: seen.consecutiveFailures, window, now,
  });
  if (circuit.state === 'half_open') {
    return open('probe_failed', Math.min(Math.max(circuit.cooldown_s * 2, policy.cooldownSeconds), policy.maxCooldownSeconds), null);
  }
  if (circuit.state === 'closed' && shouldOpen(seen, policy)) return open('failures', policy.cooldownSeconds, seen.window);
  return null;
}

function shouldOpen(seen: AttemptsSeen, policy: CircuitPolicy): boolean {
  if (seen.consecutiveFailures >= policy.consecutiveFailures) return true;
  return seen.window.requests >= policy.minRequests && seen.window.failures / seen.window.requests >= policy.failureRate;
}

/** Whether a dispatch may send now: a closed circuit sends; a half-open one sends only its probe. */
export function circuitAllows(state: CircuitState, probe: boolean): boolean {
  return state === 'closed' || (state === 'half_open' && probe) || (state === 'open' && probe);
}

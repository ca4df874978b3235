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

export interface EndpointHealth {
  readonly circuit_state: CircuitState;
  readonly circuit_opened_at: Date | null;
  readonly circuit_retry_at: Date | null;
  readonly circuit_cooldown_s: number;
  readonly consecutive_failures: number;
  /** Start of the current unbroken run of failures; null after any success. */
  readonly failing_since: Date | null;
  readonly last_success_at: Date | null;
  readonly last_failure_at: Date | null;
  /** Set when the receiver answered 410 Gone: the endpoint is to be disabled. */
  readonly gone_at: Date | null;
}

export const healthyEndpoint: EndpointHealth = Object.freeze({
  circuit_state: 'closed',
  circuit_opened_at: null,
  circuit_retry_at: null,
  circuit_cooldown_s: 0,
  consecutive_failures: 0,
  failing_since: null,
  last_success_at: null,
  last_failure_at: null,
  gone_at: null,
});

/** One recorded attempt, as far as the endpoint's health is concerned. */
export interface AttemptResult {
  readonly succeeded: boolean;
  readonly gone: boolean;
  readonly at: Date;
}

/** Attempts in the sliding window, including the ones being recorded. */
export interface WindowCounts {
  readonly requests: number;
  readonly failures: number;
}

export type CircuitTransition = 'opened' | 'closed' | null;

/**
 * Folds newly recorded attempts (oldest first) into an endpoint's health and decides whether its
 * circuit opens or closes. While open, the endpoint's deliveries wait without spending attempts;
 * after the cool-down one probe is let through (half-open): success closes the circuit, failure
 * opens it again for twice as long.
 */
export function recordAttempts(
  health: EndpointHealth,
  attempts: readonly AttemptResult[],
  window: WindowCounts,
  policy: CircuitPolicy,
  now: Date,
): { health: EndpointHealth; transition: CircuitTransition } {
  let next: EndpointHealth = health;
  for (const attempt of attempts) {
    next = attempt.succeeded
      ? { ...next, consecutive_failures: 0, failing_since: null, last_success_at: attempt.at }
      : {
          ...next,
          consecutive_failures: next.consecutive_failures + 1,
          failing_since: next.failing_since ?? attempt.at,
          last_failure_at: attempt.at,
          gone_at: attempt.gone ? attempt.at : next.gone_at,
        };
  }
  const anySuccess = attempts.some((attempt) => attempt.succeeded);
  const anyFailure = attempts.some((attempt) => !attempt.succeeded);

  if (health.circuit_state !== 'closed' && anySuccess) {
    return { health: { ...next, circuit_state: 'closed', circuit_opened_at: null, circuit_retry_at: null, circuit_cooldown_s: 0 }, transition: 'closed' };
  }
  if (health.circuit_state === 'half_open' && anyFailure) {
    const cooldown = Math.min(Math.max(health.circuit_cooldown_s * 2, policy.cooldownSeconds), policy.maxCooldownSeconds);
    return { health: open(next, cooldown, now), transition: 'opened' };
  }
  if (health.circuit_state === 'closed' && anyFailure && shouldOpen(next, window, policy)) {
    return { health: open(next, policy.cooldownSeconds, now), transition: 'opened' };
  }
  return { health: next, transition: null };
}

function shouldOpen(health: EndpointHealth, window: WindowCounts, policy: CircuitPolicy): boolean {
  if (health.consecutive_failures >= policy.consecutiveFailures) return true;
  return window.requests >= policy.minRequests && window.failures / window.requests >= policy.failureRate;
}

function open(health: EndpointHealth, cooldownSeconds: number, now: Date): EndpointHealth {
  return {
    ...health,
    circuit_state: 'open',
    circuit_opened_at: now,
    circuit_retry_at: new Date(now.getTime() + cooldownSeconds * 1000),
    circuit_cooldown_s: cooldownSeconds,
  };
}

/** Whether a dispatch may send now: a closed circuit sends; a half-open one sends only its probe. */
export function circuitAllows(state: CircuitState, probe: boolean): boolean {
  return state === 'closed' || (state === 'half_open' && probe) || (state === 'open' && probe);
}

import type { DeliveryAttemptedData } from '../delivery/delivery-events';

/**
 * An endpoint's failure streak and last outcomes, as the `endpoint-health` projection keeps them
 * (async, from DeliveryAttempted and the endpoint's enable and disable events): what the health
 * route shows and what the auto-disabler reads. The circuit is not here: it is on the endpoint's
 * stream and in its `endpoints` row.
 */
export interface EndpointHealth {
  readonly consecutive_failures: number;
  /** Start of the current unbroken run of failures; null after any success. */
  readonly failing_since: Date | null;
  readonly last_success_at: Date | null;
  readonly last_failure_at: Date | null;
  /** Set when the receiver answered 410 Gone: the endpoint is to be disabled. */
  readonly gone_at: Date | null;
}

export const healthyEndpoint: EndpointHealth = Object.freeze({
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
  /** When the attempt ended. */
  readonly at: Date;
}

/** What a DeliveryAttempted means for its endpoint's health. */
export function attemptResultOf(attempted: Pick<DeliveryAttemptedData, 'outcome' | 'started_at' | 'duration_ms'>): AttemptResult {
  return {
    succeeded: attempted.outcome === 'http_2xx',
    gone: attempted.outcome === 'gone',
    at: new Date(Date.parse(attempted.started_at) + attempted.duration_ms),
  };
}

/** Folds recorded attempts, oldest first, into the endpoint's health. */
export function foldAttempts(health: EndpointHealth, attempts: readonly AttemptResult[]): EndpointHealth {
  let next = health;
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
  return next;
}

/**
 * An enable (an operator's, or PATCH {active: true} on a disabled endpoint) starts the health
 * afresh, so neither the breaker nor the auto-disabler acts at once on failures from before it
 * was fixed; the last success and failure times stay, as history.
 */
export function healthAfterEnable(health: EndpointHealth): EndpointHealth {
  return { ...health, consecutive_failures: 0, failing_since: null, gone_at: null };
}

/** The system's disable (410 Gone, or failing too long) has acted on `gone_at`: it is cleared, so it does not act again. */
export function healthAfterSystemDisable(health: EndpointHealth): EndpointHealth {
  return { ...health, gone_at: null };
}

import type { AttemptClassification } from './attempt-classification';
import type { AttemptRequest } from './attempt-request';
import {
  AttemptTrigger,
  DeliveryAttempted,
  DeliveryAttemptedV3,
  DeliveryEventType,
  DeliveryFailed,
  DeliveryRetryScheduled,
} from './delivery-events';
import type { DeliveryState } from './delivery-state';
import { RetrySchedule, clampRetryAfter, nextRetry } from './retry-policy';

/**
 * One HTTP attempt as the dispatcher observed it. The answer's body is not part of it: sealing it
 * is I/O, done per batch by the dispatcher's recorder, which fills `sealed_response_body` of the
 * DeliveryAttempted decided here (null until then — never the plain text).
 */
export interface AttemptRecord {
  readonly attempt_id: string;
  /** 1-based, counting every attempt of the delivery, scheduled or manual. */
  readonly attempt: number;
  readonly trigger: AttemptTrigger;
  readonly url: string;
  readonly started_at: Date | string;
  readonly duration_ms: number;
  readonly status_code: number | null;
  readonly error: string | null;
  /** The request as sent, credentials redacted. */
  readonly request: AttemptRequest;
}

export interface RecordAttempt {
  readonly state: DeliveryState;
  readonly attempt: AttemptRecord;
  readonly classification: AttemptClassification;
  readonly schedule: RetrySchedule;
  readonly now: Date;
  readonly random: () => number;
  /**
   * Earlier attempts of this delivery a chat provider's rate limit answered: they were recorded but
   * do not count toward the retry schedule (at most MAX_UNSPENT_ATTEMPTS of them).
   */
  readonly unspentAttempts?: number;
}

/**
 * Rate-limit answers that may come back without spending a retry. Beyond it they count like any
 * failure, so a provider that throttles forever still ends the delivery instead of holding it.
 */
export const MAX_UNSPENT_ATTEMPTS = 20;

/** A delivered attempt is one event (its verdict in it); a failed one is followed by what comes next. */
export type AttemptRecordedEvents =
  | readonly [DeliveryAttemptedV3]
  | readonly [DeliveryAttempted, DeliveryRetryScheduled]
  | readonly [DeliveryAttempted, DeliveryFailed];

export class IllegalDeliveryStateError extends Error {
  override readonly name = 'IllegalDeliveryStateError';
}

/**
 * Why an attempt must not be made (or recorded) in this state, or null when it may. The dispatcher
 * asks before sending, so a redelivered dispatch command never causes a second HTTP request.
 */
export function attemptRefusal(state: DeliveryState, command: { readonly attempt: number; readonly trigger: AttemptTrigger }): string | null {
  if (state.delivery_id === null) return 'the delivery was never scheduled';
  if (command.attempt !== state.attempts + 1) {
    return `attempt ${command.attempt} is stale: ${state.attempts} attempts were already made`;
  }
  if (command.trigger === 'scheduled' && (state.status === 'succeeded' || state.status === 'failed')) {
    return `the delivery has already ${state.status}`;
  }
  return null;
}

/** The events that record an attempt and what follows from it: success, a retry, or the end. */
export function decideAttemptRecorded(command: RecordAttempt): AttemptRecordedEvents {
  const { state, attempt, classification } = command;
  const refusal = attemptRefusal(state, attempt);
  if (refusal) throw new IllegalDeliveryStateError(refusal);

  if (state.endpoint_id === null) throw new IllegalDeliveryStateError('the delivery names no endpoint');
  const delivered = classification.outcome === 'succeeded';
  if (delivered && attempt.status_code === null) throw new IllegalDeliveryStateError('a successful attempt has a status code');

  const attempted: DeliveryAttemptedV3 = {
    type: DeliveryEventType.DeliveryAttempted,
    schema_version: 3,
    data: {
      endpoint_id: state.endpoint_id,
      delivered,
      attempt_id: attempt.attempt_id,
      attempt: attempt.attempt,
      trigger: attempt.trigger,
      url: attempt.url,
      started_at: typeof attempt.started_at === 'string' ? attempt.started_at : attempt.started_at.toISOString(),
      duration_ms: Math.round(attempt.duration_ms),
      status_code: attempt.status_code,
      outcome: classification.reason,
      error: attempt.error,
      request: attempt.request,
      sealed_response_body: null,
    },
  };

  if (delivered) return [attempted];
  const failed = (reason: DeliveryFailed['data']['reason']): DeliveryFailed => ({
    type: DeliveryEventType.DeliveryFailed,
    schema_version: 1,
    data: { attempts: attempt.attempt, reason },
  });
  if (classification.outcome === 'failed_permanently') return [attempted, failed(classification.reason)];

  // A manual attempt on a finished delivery is a one-off: it must not restart the retry schedule.
  if (state.status === 'succeeded' || state.status === 'failed') return [attempted, failed(classification.reason)];

  const unspent = Math.min(command.unspentAttempts ?? 0, MAX_UNSPENT_ATTEMPTS);
  if (classification.spendsRetry === false && unspent < MAX_UNSPENT_ATTEMPTS) {
    // The provider said when to come back: the attempt is recorded, the schedule is not advanced.
    const seconds = classification.retryAfterSeconds ?? command.schedule[Math.max(0, attempt.attempt - unspent - 1)] ?? 1;
    const at = new Date(command.now.getTime() + Math.round(clampRetryAfter(seconds) * 1000));
    return [attempted, retryScheduled(attempt.attempt, at, classification.reason, false)];
  }
  const retry = nextRetry({
    attemptsMade: attempt.attempt - unspent,
    schedule: command.schedule,
    now: command.now,
    random: command.random,
    retryAfterSeconds: classification.retryAfterSeconds,
  });
  if (retry === null) return [attempted, failed('exhausted')];
  return [attempted, retryScheduled(attempt.attempt, retry.at, classification.reason, true)];
}

function retryScheduled(attempt: number, at: Date, reason: AttemptClassification['reason'], spent: boolean): DeliveryRetryScheduled {
  return {
    type: DeliveryEventType.DeliveryRetryScheduled,
    schema_version: 1,
    data: { attempt, next_attempt_at: at.toISOString(), reason, ...(!spent && { spent: false as const }) },
  };
}

import { DeliveryEvent, DeliveryFailureReason, deliveredBy } from './delivery-events';

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

export interface DeliveryState {
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly delivery_id: string | null;
  readonly message_id: string | null;
  readonly endpoint_id: string | null;
  readonly event_type: string | null;
  readonly tenant_id: string | null;
  readonly last_attempt_at: string | null;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly next_attempt_at: string | null;
  readonly delivered_at: string | null;
  readonly failure_reason: DeliveryFailureReason | null;
}

export const initialDeliveryState: DeliveryState = Object.freeze({
  status: 'pending',
  attempts: 0,
  delivery_id: null,
  message_id: null,
  endpoint_id: null,
  event_type: null,
  tenant_id: null,
  last_attempt_at: null,
  last_status_code: null,
  last_error: null,
  next_attempt_at: null,
  delivered_at: null,
  failure_reason: null,
});

export function evolve(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case 'DeliveryScheduled':
      return { ...initialDeliveryState, ...event.data, status: 'pending' };
    case 'DeliveryAttempted': {
      const attempted: DeliveryState = {
        ...state,
        attempts: state.attempts + 1,
        last_attempt_at: event.data.started_at,
        last_status_code: event.data.status_code,
        last_error: event.data.error,
        next_attempt_at: null,
      };
      // Version 3 carries the verdict of a delivered attempt itself, as a DeliverySucceeded after it did.
      return deliveredBy(event) ? { ...attempted, status: 'succeeded', delivered_at: event.data.started_at, failure_reason: null } : attempted;
    }
    case 'DeliverySucceeded':
      return { ...state, status: 'succeeded', delivered_at: state.last_attempt_at, next_attempt_at: null, failure_reason: null };
    case 'DeliveryRetryScheduled':
      return { ...state, status: 'retrying', next_attempt_at: event.data.next_attempt_at };
    case 'DeliveryFailed':
      return { ...state, status: 'failed', next_attempt_at: null, failure_reason: event.data.reason };
    case 'DeliveryDeferred':
      // Held until the endpoint is resumed or its circuit closes; no attempt is spent.
      return { ...state, next_attempt_at: null };
    case 'DeliveryRequeued':
      // History of who asked (and which replay); the attempt it leads to changes the state.
      return state;
    default: {
      // A type this release does not know (written by a newer one) is skipped, not a crash.
      const _unknown: never = event;
      return state;
    }
  }
}

/** Folds a stream's events, oldest first, into the delivery's current state. */
export function deliveryStateFrom(events: Iterable<DeliveryEvent>): DeliveryState {
  let state = initialDeliveryState;
  for (const event of events) state = evolve(state, event);
  return state;
}

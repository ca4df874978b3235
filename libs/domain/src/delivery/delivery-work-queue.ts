import type { DeliveryEvent } from './delivery-events';

/**
 * `deliveries.due_at` after an event: when the scheduler should next publish a *scheduled*
 * dispatch for the delivery, or null when none is waiting. It is projected from events like every
 * other column; the scheduler's claims ("the dispatch for this stream version was published") are
 * operational state in a table of their own, so the scheduler never writes `deliveries`.
 */
export function dueAtAfter(event: DeliveryEvent, delivery: { readonly due_at: string | null; readonly created_at: string }): string | null {
  switch (event.type) {
    case 'DeliveryRetryScheduled':
      return event.data.next_attempt_at;
    case 'DeliveryDeferred':
      // Held deliveries wait with their creation time, so they are released in publication order
      // once the endpoint is resumed or its circuit closes.
      return delivery.created_at;
    case 'DeliveryRequeued':
      // A manual dispatch is already on its way; a scheduled one still due stays due (the
      // dispatcher sends only one of two commands for the same attempt).
      return delivery.due_at;
    case 'DeliveryScheduled': // ingest publishes the first dispatch itself
    case 'DeliveryAttempted':
    case 'DeliverySucceeded':
    case 'DeliveryFailed':
      return null;
    default:
      return delivery.due_at;
  }
}

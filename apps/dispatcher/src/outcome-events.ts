import { OperationalEvent, operationalEvent, OperationalEventName } from '@hookledger/contracts';
import { AttemptResult, attemptResultOf, deliveredBy, DeliveryEvent, DeliveryEventType } from '@hookledger/domain';
import type { DispatchContext } from './delivery-loader';

/**
 * The operational events one delivery's recorded events announce: `delivery.failed` for each
 * failed attempt, `delivery.succeeded`, and `delivery.exhausted` when the delivery ends failed.
 */
export function outcomeEvents(context: DispatchContext, events: readonly DeliveryEvent[]): OperationalEvent<OperationalEventName, object>[] {
  const attempted = events.find((event) => event.type === DeliveryEventType.DeliveryAttempted);
  const base = {
    tenant_id: context.tenant_id,
    delivery_id: context.delivery_id,
    event_id: context.message_id,
    event_type: context.event_type,
    endpoint_id: context.endpoint_id,
    attempt: attempted?.type === DeliveryEventType.DeliveryAttempted ? attempted.data.attempt : context.attempts,
    status_code: attempted?.type === DeliveryEventType.DeliveryAttempted ? attempted.data.status_code : null,
    error: attempted?.type === DeliveryEventType.DeliveryAttempted ? attempted.data.error : null,
  };
  const out: OperationalEvent<OperationalEventName, object>[] = [];
  for (const event of events) {
    switch (event.type) {
      case DeliveryEventType.DeliveryAttempted:
        // A delivered attempt (version 3) is its delivery's success: no DeliverySucceeded follows it.
        if (deliveredBy(event)) out.push(operationalEvent('delivery.succeeded', base));
        break;
      case DeliveryEventType.DeliverySucceeded:
        out.push(operationalEvent('delivery.succeeded', base));
        break;
      case DeliveryEventType.DeliveryRetryScheduled:
        out.push(operationalEvent('delivery.failed', { ...base, outcome: event.data.reason, next_attempt_at: event.data.next_attempt_at }));
        break;
      case DeliveryEventType.DeliveryFailed:
        if (attempted) out.push(operationalEvent('delivery.failed', { ...base, outcome: attempted.type === DeliveryEventType.DeliveryAttempted ? attempted.data.outcome : null, next_attempt_at: null }));
        out.push(operationalEvent('delivery.exhausted', { ...base, attempts: event.data.attempts, reason: event.data.reason }));
        break;
    }
  }
  return out;
}

/** What an attempt means for its endpoint's circuit; deferrals and failures without an attempt count for nothing. */
export function attemptResult(events: readonly DeliveryEvent[]): AttemptResult | null {
  const attempted = events.find((event) => event.type === DeliveryEventType.DeliveryAttempted);
  return attempted?.type === DeliveryEventType.DeliveryAttempted ? attemptResultOf(attempted.data) : null;
}

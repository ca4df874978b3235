import type { AnyMessageReceived } from '../messages/message-events';
import { DeliveryScheduled, deliveryScheduled } from './delivery-events';

/**
 * The deliveries a MessageReceived's fan-out created, each as the DeliveryScheduled that began a
 * delivery's history before issue 16. A version 5 message records them itself (no DeliveryScheduled
 * is appended for them); earlier versions record none: their deliveries' streams hold the event.
 */
export function deliveriesScheduledBy(event: AnyMessageReceived): DeliveryScheduled[] {
  if (event.schema_version !== 5) return [];
  const { id, type, tenant_id, deliveries } = event.data;
  return deliveries.map(({ delivery_id, endpoint_id }) => deliveryScheduled({ delivery_id, message_id: id, endpoint_id, event_type: type, tenant_id }));
}

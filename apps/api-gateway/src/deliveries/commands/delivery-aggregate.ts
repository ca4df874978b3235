import { DeliveryCommand, deliveryDecider, DeliveryEvent, DeliveryState, readDeliveryEvent } from '@hookledger/domain';
import type { Aggregate } from '@hookledger/event-store';

/** How the store runs a delivery's commands: its stream type, its rules, its reader of stored events. */
export const deliveryAggregate: Aggregate<DeliveryCommand, DeliveryState, DeliveryEvent> = {
  streamType: 'delivery',
  decider: deliveryDecider,
  read: readDeliveryEvent,
};

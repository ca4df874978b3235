import { DeliveryCommand, deliveryDecider, DeliveryEvent, DeliveryState, readDeliveryEvent } from '@hookledger/domain';
import type { Aggregate } from './aggregate-repository';

/**
 * How the store runs a delivery's commands: its stream type, its rules, its reader of stored
 * events. Shared by the API's manual retry and the scheduler's replay runner, so both requeue by
 * the same rules.
 */
export const deliveryAggregate: Aggregate<DeliveryCommand, DeliveryState, DeliveryEvent> = {
  streamType: 'delivery',
  decider: deliveryDecider,
  read: readDeliveryEvent,
};

import { RequeueDeliveryHandler } from './requeue-delivery.handler';

export { RequeueDeliveryCommand } from './requeue-delivery.command';
export type { Requeued } from './requeue-delivery.command';

/** Spread into the module's providers: CqrsModule finds them by their @CommandHandler. */
export const DeliveryCommandHandlers = [RequeueDeliveryHandler];

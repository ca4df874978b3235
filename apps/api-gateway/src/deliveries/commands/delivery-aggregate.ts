// Lives in the store's library: the scheduler's replay runner requeues deliveries too.
export { deliveryAggregate } from '@hookledger/event-store';

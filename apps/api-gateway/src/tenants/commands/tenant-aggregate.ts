export { tenantAggregate } from '@hookledger/event-store';

export * from './webhook-sender';
export type { DeliveryError } from './delivery-error';
export { AddressBlockedError } from './address-blocked.error';

export * from './webhook-sender';
export type { DeliveryError } from './delivery-error';
export { AddressBlockedError } from './address-blocked.error';
export { webhookRequest } from './webhook-request';
export type { WebhookRequestInput } from './webhook-request';

export { createTestDatabase, openDataSource, waitUntilBlocked } from './test-database';
export type { TestDatabase } from './test-database';
export { WebhookReceiver } from './webhook-receiver';
export type { ReceivedWebhook, ReceiverAnswer, AnswerFn } from './webhook-receiver';
export { TestSystem, APPS } from './test-system';
export type { AppName, ApiAnswer } from './test-system';
export { OperationalEventListener } from './operational-events';
export type { ReceivedOperationalEvent } from './operational-events';

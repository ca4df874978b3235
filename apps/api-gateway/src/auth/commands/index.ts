import { CreateApiKeyHandler } from './create-api-key.handler';
import { IssuePortalTokenHandler } from './issue-portal-token.handler';
import { RevokeApiKeyHandler } from './revoke-api-key.handler';

export { CreateApiKeyCommand } from './create-api-key.command';
export type { CreatedApiKey } from './create-api-key.command';
export { IssuePortalTokenCommand } from './issue-portal-token.command';
export type { IssuedPortalToken } from './issue-portal-token.command';
export { RevokeApiKeyCommand } from './revoke-api-key.command';
export { apiKeyAggregate } from './api-key-aggregate';

/** Spread into the module's providers: CqrsModule finds them by their @CommandHandler. */
export const ApiKeyCommandHandlers = [CreateApiKeyHandler, IssuePortalTokenHandler, RevokeApiKeyHandler];

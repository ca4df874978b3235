import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { apiKeyStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { changeMetadata } from '../principal';
import { apiKeyAggregate } from './api-key-aggregate';
import { RevokeApiKeyCommand } from './revoke-api-key.command';

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute({ keyId, principal }: RevokeApiKeyCommand): Promise<void> {
    // The revocation is audited under the key's tenant, which only its stream knows.
    await this.aggregates.handle(apiKeyAggregate, apiKeyStreamId(keyId), { type: 'RevokeApiKey', key_id: keyId, now: new Date() },
      (key) => changeMetadata(principal, key.tenant_id));
  }
}

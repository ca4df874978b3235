import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { apiKeyStreamId, newId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { withFieldAnswer } from '../../http/field-refusal';
import { TenantsRepository } from '../../tenants/tenants.repository';
import { ApiKeyDigests } from '../api-key-digests';
import { generateKey, keyPrefix } from '../api-keys.repository';
import { changeMetadata } from '../principal';
import { apiKeyAggregate } from './api-key-aggregate';
import { IssuedPortalToken, IssuePortalTokenCommand } from './issue-portal-token.command';

@CommandHandler(IssuePortalTokenCommand)
export class IssuePortalTokenHandler implements ICommandHandler<IssuePortalTokenCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly tenants: TenantsRepository, private readonly digests: ApiKeyDigests) {}

  async execute({ tenantId, expiresInS, principal }: IssuePortalTokenCommand): Promise<IssuedPortalToken> {
    const id = newId('key');
    const token = generateKey('portal');
    try {
      return await this.aggregates.transaction(async (tx) => {
        // Locked, as a tenant's deletion locks it before sweeping its keys: no token slips in after the sweep.
        const tenantLive = (await this.tenants.lock(tx, tenantId)) !== null;
        const { state } = await this.aggregates.handleIn(tx, apiKeyAggregate, apiKeyStreamId(id), {
          type: 'IssuePortalToken', key_id: id, tenant_id: tenantId, tenant_live: tenantLive, prefix: keyPrefix(token), expires_in_s: expiresInS, now: new Date(),
        }, changeMetadata(principal, tenantId));
        await this.digests.insert(tx, id, token);
        return { id, token, expires_at: new Date(state.expires_at!) };
      });
    } catch (error) {
      throw withFieldAnswer(error, { tenant_id: { invalid: { message: `tenant ${tenantId} does not exist` } } });
    }
  }
}

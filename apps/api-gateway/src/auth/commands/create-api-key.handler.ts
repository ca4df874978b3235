import { HttpStatus } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { HookledgerConfig } from '@hookledger/config';
import { apiKeyStreamId, newId, tenantOfNewKey } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { withFieldAnswer } from '../../http/field-refusal';
import { TenantsRepository } from '../../tenants/tenants.repository';
import { ApiKeyDigests } from '../api-key-digests';
import { generateKey, keyPrefix } from '../api-keys.repository';
import { changeMetadata } from '../principal';
import { apiKeyAggregate } from './api-key-aggregate';
import { CreateApiKeyCommand, CreatedApiKey } from './create-api-key.command';

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand> {
  constructor(
    private readonly aggregates: AggregateRepository,
    private readonly tenants: TenantsRepository,
    private readonly digests: ApiKeyDigests,
    private readonly config: HookledgerConfig,
  ) {}

  async execute({ input, principal }: CreateApiKeyCommand): Promise<CreatedApiKey> {
    const id = newId('key');
    const key = generateKey('api-key');
    try {
      const tenantId = tenantOfNewKey({ tenant_id: input.tenant_id, creator_tenant_id: principal.tenantId });
      await this.aggregates.transaction(async (tx) => {
        // Locked, as a tenant's deletion locks it before sweeping its keys: no key slips in after the sweep.
        const tenantLive = tenantId === null || (await this.tenants.lock(tx, tenantId)) !== null;
        await this.aggregates.handleIn(tx, apiKeyAggregate, apiKeyStreamId(id), {
          type: 'CreateApiKey', key_id: id, name: input.name, role: input.role, tenant_id: input.tenant_id,
          rate_limit_per_s: input.rate_limit_per_s ?? null, expires_at: input.expires_at === undefined ? null : new Date(input.expires_at),
          prefix: keyPrefix(key), creator_tenant_id: principal.tenantId, operator_rate_limit_per_s: this.config.api.rateLimitPerS,
          tenant_live: tenantLive, now: new Date(),
        }, changeMetadata(principal, tenantId));
        await this.digests.insert(tx, id, key);
      });
    } catch (error) {
      throw withFieldAnswer(error, {
        tenant_id: {
          forbidden: { message: `must be ${principal.tenantId} (or left out) for this key` },
          invalid: { message: `tenant ${input.tenant_id ?? principal.tenantId} does not exist` },
        },
        rate_limit_per_s: { forbidden: { message: `must be at most ${this.config.api.rateLimitPerS}` } },
        expires_at: { invalid: { message: 'expires_at must be in the future', status: HttpStatus.BAD_REQUEST } },
      });
    }
    return { id, key };
  }
}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { tenantStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { changeMetadata } from '../../auth/principal';
import { withFieldAnswer } from '../../http/field-refusal';
import { CreateTenantCommand } from './create-tenant.command';
import { tenantAggregate } from './tenant-aggregate';

@CommandHandler(CreateTenantCommand)
export class CreateTenantHandler implements ICommandHandler<CreateTenantCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute({ tenantId, name, metadata, quotas, payloadRetentionDays, principal, branding }: CreateTenantCommand): Promise<void> {
    const command = { type: 'CreateTenant', tenant_id: tenantId, name, metadata, quotas, payload_retention_days: payloadRetentionDays, branding } as const;
    await this.aggregates
      .handle(tenantAggregate, tenantStreamId(tenantId), command, changeMetadata(principal, tenantId))
      .catch((error: unknown) => { throw withFieldAnswer(error, { id: { conflict: { message: 'id is taken' } } }); });
  }
}

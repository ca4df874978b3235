import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { tenantStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { changeMetadata } from '../../auth/principal';
import { tenantAggregate } from './tenant-aggregate';
import { UpdateTenantCommand } from './update-tenant.command';

@CommandHandler(UpdateTenantCommand)
export class UpdateTenantHandler implements ICommandHandler<UpdateTenantCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute({ tenantId, changes, principal }: UpdateTenantCommand): Promise<void> {
    await this.aggregates.handle(tenantAggregate, tenantStreamId(tenantId), { type: 'UpdateTenant', tenant_id: tenantId, ...changes }, changeMetadata(principal, tenantId));
  }
}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { apiKeyStreamId, endpointStreamId, sourceStreamId, tenantStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate } from '@hookledger/event-store';
import { apiKeyAggregate } from '../../auth/commands/api-key-aggregate';
import { changeMetadata } from '../../auth/principal';
import { sourceAggregate } from '../../sources/commands/source-aggregate';
import { TenantsRepository } from '../tenants.repository';
import { DeleteTenantCommand } from './delete-tenant.command';
import { tenantAggregate } from './tenant-aggregate';

@CommandHandler(DeleteTenantCommand)
export class DeleteTenantHandler implements ICommandHandler<DeleteTenantCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly tenants: TenantsRepository) {}

  async execute({ tenantId, principal }: DeleteTenantCommand): Promise<void> {
    const metadata = changeMetadata(principal, tenantId);
    await this.aggregates.transaction(async (tx) => {
      // First, as creating an endpoint or a key for the tenant does: none can slip in after the sweeps below.
      await this.tenants.lock(tx, tenantId);
      await this.aggregates.handleIn(tx, tenantAggregate, tenantStreamId(tenantId), { type: 'DeleteTenant', tenant_id: tenantId }, metadata);
      // Nothing more is delivered for it: each endpoint deleted on its own stream.
      for (const endpointId of await this.tenants.liveEndpointIds(tx, tenantId)) {
        await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(endpointId),
          { type: 'DeleteEndpoint', endpoint_id: endpointId, reason: 'tenant deleted' }, metadata);
      }
      // Nor taken in: each incoming-webhook source deleted on its own stream.
      for (const sourceId of await this.tenants.liveSourceIds(tx, tenantId)) {
        await this.aggregates.handleIn(tx, sourceAggregate, sourceStreamId(sourceId), { kind: 'DeleteSource', source_id: sourceId }, metadata);
      }
      const now = new Date();
      for (const keyId of await this.tenants.liveKeyIds(tx, tenantId)) {
        await this.aggregates.handleIn(tx, apiKeyAggregate, apiKeyStreamId(keyId), { type: 'RevokeApiKey', key_id: keyId, reason: 'tenant deleted', now }, metadata);
      }
    });
  }
}

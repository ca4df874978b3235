import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { apiKeyStreamId, endpointDeleted, tenantStreamId } from '@hookledger/domain';
import { AggregateRepository, EndpointProjection } from '@hookledger/event-store';
import { apiKeyAggregate } from '../../auth/commands/api-key-aggregate';
import { changeMetadata, Principal } from '../../auth/principal';
import { TenantsRepository } from '../tenants.repository';
import { DeleteTenantCommand } from './delete-tenant.command';
import { tenantAggregate } from './tenant-aggregate';

@CommandHandler(DeleteTenantCommand)
export class DeleteTenantHandler implements ICommandHandler<DeleteTenantCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly tenants: TenantsRepository, private readonly endpoints: EndpointProjection) {}

  async execute({ tenantId, principal }: DeleteTenantCommand): Promise<void> {
    const metadata = changeMetadata(principal, tenantId);
    await this.aggregates.transaction(async (tx) => {
      // First, as creating an endpoint or a key for the tenant does: none can slip in after the sweeps below.
      await this.tenants.lock(tx, tenantId);
      await this.aggregates.handleIn(tx, tenantAggregate, tenantStreamId(tenantId), { type: 'DeleteTenant', tenant_id: tenantId }, metadata);
      await this.deleteEndpoints(tx, tenantId, principal);
      const now = new Date();
      for (const keyId of await this.tenants.liveKeyIds(tx, tenantId)) {
        await this.aggregates.handleIn(tx, apiKeyAggregate, apiKeyStreamId(keyId), { type: 'RevokeApiKey', key_id: keyId, reason: 'tenant deleted', now }, metadata);
      }
    });
  }

  // The endpoints' own conversion (issue 12) replaces this with DeleteEndpoint on each endpoint's aggregate.
  private async deleteEndpoints(tx: EntityManager, tenantId: string, principal: Principal): Promise<void> {
    for (const endpointId of await this.tenants.liveEndpointIds(tx, tenantId)) {
      const endpoint = await this.endpoints.lock(tx, endpointId);
      if (!endpoint) continue;
      await this.endpoints.delete(tx, endpoint, { ...endpointDeleted({ id: endpointId, reason: 'tenant deleted' }), metadata: changeMetadata(principal, tenantId) });
    }
  }
}

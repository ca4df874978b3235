import { Decider, DomainRuleError } from '../domain-event';
import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';
import type { CreateTenant, DeleteTenant, TenantCommand, UpdateTenant } from './tenant-commands';
import { TenantEvent, tenantCreated, tenantDeleted, tenantUpdated } from './tenant-events';
import { TenantState, evolveTenant, initialTenantState } from './tenant-state';

/**
 * Word for word the 404 the tenant guard answers for another tenant's id (apps' notFound), and
 * without a field: a different body would tell a caller that an id it may not see is taken.
 */
export const tenantNotFound = (id: string) => new DomainRuleError('not_found', `Tenant ${id} does not exist.`);

function requireActive(state: TenantState, id: string): void {
  if (state.status !== 'active') throw tenantNotFound(id);
}

function create(command: CreateTenant, state: TenantState): TenantEvent[] {
  // A deleted tenant's id stays taken: its history (deliveries, audit trail) still names it.
  if (state.status !== 'none') {
    throw new DomainRuleError('conflict', `Tenant ${command.tenant_id} already exists (or existed: tenant ids are never reused).`, 'id');
  }
  return [tenantCreated({ id: command.tenant_id, name: command.name, metadata: command.metadata, quotas: command.quotas })];
}

/** Every PATCH is recorded, even one that names nothing, as the API has always done (it moves updated_at). */
function update(command: UpdateTenant, state: TenantState): TenantEvent[] {
  requireActive(state, command.tenant_id);
  return [tenantUpdated(command.tenant_id, { name: command.name, metadata: command.metadata, quotas: command.quotas })];
}

function remove(command: DeleteTenant, state: TenantState): TenantEvent[] {
  // Checked before existence, as the API does: events published without a tenant land in it.
  if (command.tenant_id === DEFAULT_TENANT) {
    throw new DomainRuleError('conflict', `The ${DEFAULT_TENANT} tenant receives everything published without a tenant and cannot be deleted.`);
  }
  requireActive(state, command.tenant_id);
  return [tenantDeleted(command.tenant_id)];
}

export const tenantDecider: Decider<TenantCommand, TenantState, TenantEvent> = {
  initialState: initialTenantState,
  decide(command, state) {
    switch (command.type) {
      case 'CreateTenant':
        return create(command, state);
      case 'UpdateTenant':
        return update(command, state);
      case 'DeleteTenant':
        return remove(command, state);
    }
  },
  evolve: evolveTenant,
};

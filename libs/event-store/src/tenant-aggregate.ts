import { TENANT_STREAM_TYPE, TenantCommand, TenantEvent, TenantState, readTenantEvent, tenantDecider } from '@hookledger/domain';
import type { Aggregate } from './aggregate-repository';

/**
 * How the store runs a tenant's commands: its stream type, its rules, its reader of stored events.
 * Shared by the API (create, change, delete, erase) and the scheduler's payload retention.
 */
export const tenantAggregate: Aggregate<TenantCommand, TenantState, TenantEvent> = {
  streamType: TENANT_STREAM_TYPE,
  decider: tenantDecider,
  read: readTenantEvent,
};

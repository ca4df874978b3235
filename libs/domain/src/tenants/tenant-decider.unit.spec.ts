import { DomainRuleError, foldEvents } from '../domain-event';
import type { TenantCommand } from './tenant-commands';
import { tenantDecider } from './tenant-decider';
import { TenantEvent, tenantCreated, tenantDeleted, tenantRecorded, tenantStreamId } from './tenant-events';

const acme = tenantCreated({ id: 'acme', name: 'Acme Corp', metadata: { plan: 'pro' }, quotas: { max_endpoints: 2, max_events_per_month: 10 } });

/** Given a tenant's past events, when a command is decided, then these events follow (or this refusal). */
function given(...history: TenantEvent[]) {
  return {
    when: (command: TenantCommand) => {
      const decide = () => tenantDecider.decide(command, foldEvents(tenantDecider, history));
      return {
        then: (expected: readonly TenantEvent[]) => expect(decide()).toEqual(expected),
        thenRefuses: (kind: DomainRuleError['kind'], message: string, field?: string) => {
          expect(decide).toThrow(DomainRuleError);
          expect(decide).toThrow(expect.objectContaining({ kind, message, field }));
        },
      };
    },
  };
}

describe('tenant', () => {
  it('is created with its quotas; the monthly quota is written as a decimal string, as every stored TenantCreated is', () => {
    given()
      .when({ type: 'CreateTenant', tenant_id: 'acme', name: 'Acme Corp', metadata: { plan: 'pro' }, quotas: { max_endpoints: 2, max_events_per_month: 10 } })
      .then([{ type: 'TenantCreated', schema_version: 1, data: { id: 'acme', name: 'Acme Corp', metadata: { plan: 'pro' }, max_endpoints: 2, max_events_per_month: '10' } }]);
  });

  it('refuses an id that is taken, by a live or a deleted tenant', () => {
    const taken = ['conflict', 'Tenant acme already exists (or existed: tenant ids are never reused).', 'id'] as const;
    const command: TenantCommand = { type: 'CreateTenant', tenant_id: 'acme', name: 'again', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null } };
    given(acme).when(command).thenRefuses(...taken);
    given(acme, tenantDeleted('acme')).when(command).thenRefuses(...taken);
  });

  it('records only the fields a PATCH names; null lifts a quota', () => {
    given(acme)
      .when({ type: 'UpdateTenant', tenant_id: 'acme', quotas: { max_events_per_month: null } })
      .then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'acme', changes: { max_events_per_month: null } } }]);
    given(acme)
      .when({ type: 'UpdateTenant', tenant_id: 'acme', name: 'Acme Inc', metadata: {}, quotas: { max_endpoints: 5, max_events_per_month: 11 } })
      .then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'acme', changes: { name: 'Acme Inc', metadata: {}, max_endpoints: 5, max_events_per_month: '11' } } }]);
  });

  it('records a PATCH that names nothing, as the API always has', () => {
    given(acme).when({ type: 'UpdateTenant', tenant_id: 'acme' }).then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'acme', changes: {} } }]);
  });

  it('answers a change to a tenant that does not exist, or no longer, with the same 404 as the tenant guard', () => {
    given().when({ type: 'UpdateTenant', tenant_id: 'nobody', name: 'x' }).thenRefuses('not_found', 'Tenant nobody does not exist.', undefined);
    given(acme, tenantDeleted('acme')).when({ type: 'UpdateTenant', tenant_id: 'acme', name: 'x' }).thenRefuses('not_found', 'Tenant acme does not exist.', undefined);
    given(acme, tenantDeleted('acme')).when({ type: 'DeleteTenant', tenant_id: 'acme' }).thenRefuses('not_found', 'Tenant acme does not exist.', undefined);
  });

  it('is deleted', () => {
    given(acme).when({ type: 'DeleteTenant', tenant_id: 'acme' }).then([{ type: 'TenantDeleted', schema_version: 1, data: { id: 'acme' } }]);
  });

  it('never deletes the default tenant, which receives everything published without one', () => {
    const defaultTenant = tenantCreated({ id: 'default', name: 'Default tenant', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null } });
    given(defaultTenant)
      .when({ type: 'DeleteTenant', tenant_id: 'default' })
      .thenRefuses('conflict', 'The default tenant receives everything published without a tenant and cannot be deleted.', undefined);
  });

  it('lives in tenant-<id>', () => {
    expect(tenantStreamId('acme')).toBe('tenant-acme');
  });
});

describe('tenant evolve', () => {
  it('reads the events stored since schema_version 1 exactly as the API wrote them', () => {
    const stored = [
      { type: 'TenantCreated', schema_version: 1, data: { id: 'small', name: 'Small Co', metadata: {}, max_endpoints: 2, max_events_per_month: '10' } },
      { type: 'TenantUpdated', schema_version: 1, data: { id: 'small', changes: { max_events_per_month: '11' } } },
      { type: 'TenantUpdated', schema_version: 1, data: { id: 'small', changes: { name: 'Small Ltd', metadata: { tier: 'b' }, max_endpoints: null } } },
    ] as const;
    expect(foldEvents(tenantDecider, stored)).toEqual({
      status: 'active', id: 'small', name: 'Small Ltd', metadata: { tier: 'b' }, quotas: { max_endpoints: null, max_events_per_month: 11 },
    });
    expect(foldEvents(tenantDecider, [...stored, { type: 'TenantDeleted', schema_version: 1, data: { id: 'small' } } as const]).status).toBe('deleted');
  });

  it('takes over the default tenant, made without an event and perhaps PATCHed since, as it stood', () => {
    const patchedBefore = { type: 'TenantUpdated', schema_version: 1, data: { id: 'default', changes: { max_endpoints: 100 } } } as const;
    const recorded = tenantRecorded({
      id: 'default', name: 'Default tenant', metadata: {}, quotas: { max_endpoints: 100, max_events_per_month: null }, created_at: new Date('2024-01-01T00:00:00Z'),
    });
    expect(recorded.data).toEqual({ id: 'default', name: 'Default tenant', metadata: {}, max_endpoints: 100, max_events_per_month: null, created_at: '2024-01-01T00:00:00.000Z' });
    expect(foldEvents(tenantDecider, [patchedBefore, recorded])).toEqual({
      status: 'active', id: 'default', name: 'Default tenant', metadata: {}, quotas: { max_endpoints: 100, max_events_per_month: null },
    });
    given(patchedBefore, recorded).when({ type: 'UpdateTenant', tenant_id: 'default', name: 'Everyone' })
      .then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'default', changes: { name: 'Everyone' } } }]);
    given(patchedBefore, recorded)
      .when({ type: 'CreateTenant', tenant_id: 'default', name: 'again', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null } })
      .thenRefuses('conflict', 'Tenant default already exists (or existed: tenant ids are never reused).', 'id');
  });

  it('ignores event types it does not know', () => {
    const state = foldEvents(tenantDecider, [acme]);
    expect(tenantDecider.evolve(state, { type: 'TenantRenamed', data: {} } as unknown as TenantEvent)).toBe(state);
  });
});

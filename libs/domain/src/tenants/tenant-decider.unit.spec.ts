import { DomainRuleError, foldEvents } from '../domain-event';
import type { TenantCommand } from './tenant-commands';
import { tenantDecider } from './tenant-decider';
import { TenantEvent, tenantCreated, tenantDeleted, tenantErased, tenantRecorded, tenantStreamId, tenantUpdated } from './tenant-events';

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

describe('payload retention', () => {
  const create = (days: number | null | undefined): TenantCommand => ({
    type: 'CreateTenant', tenant_id: 'acme', name: 'Acme', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null }, payload_retention_days: days,
  });

  it('is recorded on create only when set: a tenant without it records what it always did', () => {
    given().when(create(30)).then([{ type: 'TenantCreated', schema_version: 1, data: { id: 'acme', name: 'Acme', metadata: {}, max_endpoints: null, max_events_per_month: null, payload_retention_days: 30 } }]);
    given().when(create(null)).then([{ type: 'TenantCreated', schema_version: 1, data: { id: 'acme', name: 'Acme', metadata: {}, max_endpoints: null, max_events_per_month: null } }]);
  });

  it('is changed by a PATCH that names it, and null keeps payloads again', () => {
    given(acme).when({ type: 'UpdateTenant', tenant_id: 'acme', payload_retention_days: 7 })
      .then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'acme', changes: { payload_retention_days: 7 } } }]);
    given(acme).when({ type: 'UpdateTenant', tenant_id: 'acme', payload_retention_days: null })
      .then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'acme', changes: { payload_retention_days: null } } }]);
    expect(foldEvents(tenantDecider, [acme, tenantUpdated('acme', { payload_retention_days: 7 })]).payload_retention_days).toBe(7);
  });

  it('refuses anything but a whole number of days from 1 (0 would purge what was just published)', () => {
    const refusal = ['invalid', 'payload_retention_days must be an integer from 1 to 36500, or null to keep payloads', 'payload_retention_days'] as const;
    for (const days of [0, -1, 1.5, 36_501]) {
      given().when(create(days)).thenRefuses(...refusal);
      given(acme).when({ type: 'UpdateTenant', tenant_id: 'acme', payload_retention_days: days }).thenRefuses(...refusal);
    }
  });

  const purge = (count: number): TenantCommand => ({
    type: 'PurgeTenantPayloads', tenant_id: 'acme', before: new Date('2024-01-03T00:00:00Z'), destroyed: { count, key_ids: count ? ['dk_1', 'dk_2'].slice(0, count) : [] },
  });
  const keeping7 = tenantUpdated('acme', { payload_retention_days: 7 });

  it('records what a retention run destroyed, with the setting it ran under', () => {
    given(acme, keeping7).when(purge(2)).then([{
      type: 'TenantPayloadsPurged', schema_version: 1,
      data: { id: 'acme', before: '2024-01-03T00:00:00.000Z', payload_retention_days: 7, keys_destroyed: 2, key_ids: ['dk_1', 'dk_2'] },
    }]);
  });

  it('records nothing for a run that destroyed nothing (several schedulers, or nothing old enough)', () => {
    given(acme, keeping7).when(purge(0)).then([]);
  });

  it('refuses to purge for a tenant that keeps its payloads, or that never existed', () => {
    given(acme).when(purge(1)).thenRefuses('conflict', 'Tenant acme keeps its payloads (payload_retention_days is null): nothing may be purged for retention.', undefined);
    given().when(purge(1)).thenRefuses('not_found', 'Tenant acme does not exist.', undefined);
  });
});

describe('branding', () => {
  const look = { name: 'Acme Hooks', logo_url: 'https://cdn.acme.test/logo.svg', accent_color: '#0a7cff' };

  it('is recorded on create only with the fields set: a tenant without it records what it always did', () => {
    given().when({ type: 'CreateTenant', tenant_id: 'acme', name: 'Acme', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null }, branding: { name: 'Acme Hooks', logo_url: null } })
      .then([{ type: 'TenantCreated', schema_version: 1, data: { id: 'acme', name: 'Acme', metadata: {}, max_endpoints: null, max_events_per_month: null, branding: { name: 'Acme Hooks' } } }]);
    given().when({ type: 'CreateTenant', tenant_id: 'acme', name: 'Acme', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null }, branding: {} })
      .then([{ type: 'TenantCreated', schema_version: 1, data: { id: 'acme', name: 'Acme', metadata: {}, max_endpoints: null, max_events_per_month: null } }]);
  });

  it('is changed field by field by a PATCH that names it; null clears a field', () => {
    given(acme).when({ type: 'UpdateTenant', tenant_id: 'acme', branding: { accent_color: '#112233', logo_url: null } })
      .then([{ type: 'TenantUpdated', schema_version: 1, data: { id: 'acme', changes: { branding: { logo_url: null, accent_color: '#112233' } } } }]);
    const state = foldEvents(tenantDecider, [acme, tenantUpdated('acme', { branding: look }), tenantUpdated('acme', { branding: { name: null, accent_color: '#000000' } })]);
    expect(state.branding).toEqual({ name: null, logo_url: 'https://cdn.acme.test/logo.svg', accent_color: '#000000' });
    expect(foldEvents(tenantDecider, [acme]).branding).toEqual({ name: null, logo_url: null, accent_color: null });
  });

  it('refuses a look the portal cannot show, naming the field', () => {
    const patch = (branding: object): TenantCommand => ({ type: 'UpdateTenant', tenant_id: 'acme', branding });
    given(acme).when(patch({ name: 'x'.repeat(81) })).thenRefuses('invalid', 'branding.name must be 1–80 characters', 'branding.name');
    given(acme).when(patch({ accent_color: 'red' })).thenRefuses('invalid', 'branding.accent_color must be a colour as #rrggbb', 'branding.accent_color');
    given(acme).when(patch({ logo_url: 'javascript:alert(1)' }))
      .thenRefuses('invalid', 'branding.logo_url must be an http(s) URL of at most 2048 characters', 'branding.logo_url');
    given(acme).when(patch({ logo_url: `https://cdn.acme.test/${'x'.repeat(2048)}` }))
      .thenRefuses('invalid', 'branding.logo_url must be an http(s) URL of at most 2048 characters', 'branding.logo_url');
  });
});

describe('erasure', () => {
  const erase = (count: number, reason: string | null = 'GDPR art. 17 request #42'): TenantCommand => ({
    type: 'EraseTenant', tenant_id: 'acme', reason, destroyed: { count, key_ids: ['dk_a', 'dk_b', 'dk_c'].slice(0, count) },
  });

  it('records the keys destroyed and why', () => {
    given(acme).when(erase(3)).then([{
      type: 'TenantErased', schema_version: 1, data: { id: 'acme', reason: 'GDPR art. 17 request #42', keys_destroyed: 3, key_ids: ['dk_a', 'dk_b', 'dk_c'] },
    }]);
  });

  it('is allowed after the tenant was deleted (its history outlives it) and again (keys made since the last one)', () => {
    given(acme, tenantDeleted('acme')).when(erase(1, null)).then([tenantErased({ id: 'acme', reason: null, keys_destroyed: 1, key_ids: ['dk_a'] })]);
    given(acme, tenantErased({ id: 'acme', reason: null, keys_destroyed: 3, key_ids: ['dk_a', 'dk_b', 'dk_c'] })).when(erase(0, null))
      .then([tenantErased({ id: 'acme', reason: null, keys_destroyed: 0, key_ids: [] })]);
  });

  it('leaves the tenant as it was, counting the erasure', () => {
    const state = foldEvents(tenantDecider, [acme, tenantErased({ id: 'acme', reason: null, keys_destroyed: 1, key_ids: ['dk_a'] })]);
    expect(state).toMatchObject({ status: 'active', name: 'Acme Corp', erasures: 1 });
  });

  it('answers a tenant that never existed with the tenant guard\'s 404', () => {
    given().when(erase(0)).thenRefuses('not_found', 'Tenant acme does not exist.', undefined);
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
      payload_retention_days: null, branding: { name: null, logo_url: null, accent_color: null }, erasures: 0,
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
      payload_retention_days: null, branding: { name: null, logo_url: null, accent_color: null }, erasures: 0,
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

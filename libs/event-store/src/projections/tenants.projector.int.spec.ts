import { tenantCreated, tenantDeleted, tenantErased, tenantPayloadsPurged, tenantRecorded, tenantStreamId, tenantUpdated } from '@hookledger/domain';
import { tenantsProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const on = (id: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: tenantStreamId(id), event, recordedAt: at(second) });
const spec = () => projectorSpec(tenantsProjector, database.current);
const acme = tenantCreated({ id: 'acme', name: 'Acme', metadata: { plan: 'pro' }, quotas: { max_endpoints: 2, max_events_per_month: 10 } });
const row = (fields: Record<string, unknown>) => ({ id: 'acme', name: 'Acme', metadata: { plan: 'pro' }, max_endpoints: 2, max_events_per_month: '10', deleted_at: null, payload_retention_days: null, erased_at: null, branding: {}, ...fields });

describe('the tenants projection', () => {
  it('a created tenant is a row stamped with the event time; the monthly quota is the bigint column', async () => {
    await spec().given(on('acme', acme, 1)).then('tenants', [row({ created_at: at(1), updated_at: at(1) })]);
  });

  it('an update changes only what it names; null lifts a quota', async () => {
    await spec()
      .given(
        on('acme', acme, 1),
        on('acme', tenantUpdated('acme', { name: 'Acme Corp' }), 2),
        on('acme', tenantUpdated('acme', { quotas: { max_events_per_month: null } }), 3),
        on('acme', tenantUpdated('acme', { metadata: {} }), 4),
      )
      .then('tenants', [row({ name: 'Acme Corp', metadata: {}, max_events_per_month: null, created_at: at(1), updated_at: at(4) })]);
  });

  it('a deleted tenant keeps its row, with deleted_at the deletion time', async () => {
    await spec()
      .given(on('acme', acme, 1), on('acme', tenantDeleted('acme'), 7))
      .then('tenants', [row({ created_at: at(1), updated_at: at(7), deleted_at: at(7) })]);
  });

  it('TenantRecorded gives the tenant as it stood, with its own created_at, after PATCHes recorded before it', async () => {
    const made = new Date('2023-06-01T12:00:00.123Z');
    await spec()
      .given(
        on('default', tenantUpdated('default', { name: 'Renamed' }), 1),
        on('default', tenantRecorded({ id: 'default', name: 'Renamed', metadata: {}, quotas: { max_endpoints: null, max_events_per_month: null }, created_at: made }), 2),
        on('default', tenantUpdated('default', { quotas: { max_endpoints: 9 } }), 3),
      )
      .then('tenants', [{
        id: 'default', name: 'Renamed', metadata: {}, max_endpoints: 9, max_events_per_month: null, created_at: made, updated_at: at(3), deleted_at: null,
        payload_retention_days: null, erased_at: null, branding: {},
      }]);
  });

  it('payload_retention_days as created, changed only by an update that names it, lifted by null', async () => {
    const keeping = tenantCreated({ id: 'acme', name: 'Acme', metadata: { plan: 'pro' }, quotas: { max_endpoints: 2, max_events_per_month: 10 }, payload_retention_days: 30 });
    await spec().given(on('acme', keeping, 1)).then('tenants', [row({ payload_retention_days: 30, created_at: at(1), updated_at: at(1) })]);
    await spec()
      .given(on('acme', keeping, 1), on('acme', tenantUpdated('acme', { name: 'Acme' }), 2), on('acme', tenantUpdated('acme', { payload_retention_days: 7 }), 3))
      .then('tenants', [row({ payload_retention_days: 7, created_at: at(1), updated_at: at(3) })]);
    await spec()
      .given(on('acme', keeping, 1), on('acme', tenantUpdated('acme', { payload_retention_days: null }), 2))
      .then('tenants', [row({ payload_retention_days: null, created_at: at(1), updated_at: at(2) })]);
  });

  it('branding as created (only the fields set), merged field by field by updates, a field named null cleared', async () => {
    const branded = tenantCreated({
      id: 'acme', name: 'Acme', metadata: { plan: 'pro' }, quotas: { max_endpoints: 2, max_events_per_month: 10 }, branding: { name: 'Acme Hooks', accent_color: '#0a7cff' },
    });
    await spec().given(on('acme', branded, 1)).then('tenants', [row({ branding: { name: 'Acme Hooks', accent_color: '#0a7cff' }, created_at: at(1), updated_at: at(1) })]);
    await spec()
      .given(
        on('acme', branded, 1),
        on('acme', tenantUpdated('acme', { branding: { logo_url: 'https://cdn.acme.test/logo.svg', accent_color: null } }), 2),
        on('acme', tenantUpdated('acme', { name: 'Acme' }), 3),
      )
      .then('tenants', [row({ branding: { name: 'Acme Hooks', logo_url: 'https://cdn.acme.test/logo.svg' }, created_at: at(1), updated_at: at(3) })]);
  });

  it('an erasure stamps erased_at (the last one) and changes nothing else; a purge changes nothing on the row', async () => {
    const erased = (second: number) => on('acme', tenantErased({ id: 'acme', reason: null, keys_destroyed: 1, key_ids: ['dk_1'] }), second);
    const purged = tenantPayloadsPurged({ id: 'acme', before: '2024-01-01T00:00:00.000Z', payload_retention_days: 1, keys_destroyed: 1, key_ids: ['dk_0'] });
    await spec()
      .given(on('acme', acme, 1), on('acme', purged, 2), erased(3), erased(5))
      .then('tenants', [row({ erased_at: at(5), created_at: at(1), updated_at: at(1) })]);
  });

  it('skips event types it does not know', async () => {
    await spec()
      .given(on('acme', acme, 1), on('acme', { type: 'TenantMerged', data: { id: 'acme', into: 'globex' } }, 2))
      .then('tenants', [row({ created_at: at(1), updated_at: at(1) })]);
  });
});

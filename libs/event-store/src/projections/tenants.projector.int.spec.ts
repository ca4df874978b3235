import { tenantCreated, tenantDeleted, tenantRecorded, tenantStreamId, tenantUpdated } from '@hookledger/domain';
import { tenantsProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const on = (id: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: tenantStreamId(id), event, recordedAt: at(second) });
const spec = () => projectorSpec(tenantsProjector, database.current);
const acme = tenantCreated({ id: 'acme', name: 'Acme', metadata: { plan: 'pro' }, quotas: { max_endpoints: 2, max_events_per_month: 10 } });
const row = (fields: Record<string, unknown>) => ({ id: 'acme', name: 'Acme', metadata: { plan: 'pro' }, max_endpoints: 2, max_events_per_month: '10', deleted_at: null, ...fields });

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
      .then('tenants', [{ id: 'default', name: 'Renamed', metadata: {}, max_endpoints: 9, max_events_per_month: null, created_at: made, updated_at: at(3), deleted_at: null }]);
  });

  it('skips event types it does not know', async () => {
    await spec()
      .given(on('acme', acme, 1), on('acme', { type: 'TenantMerged', data: { id: 'acme', into: 'globex' } }, 2))
      .then('tenants', [row({ created_at: at(1), updated_at: at(1) })]);
  });
});

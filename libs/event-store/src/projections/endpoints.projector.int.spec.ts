import {
  DEFAULT_ENDPOINT_SETTINGS, endpointCircuitOpened, endpointCreated, EndpointCreatedData, endpointDeleted, endpointDisabled, endpointEnabled,
  endpointPaused, endpointSecretRotated, endpointStreamId, endpointUpdated, legacySigningKeyId,
} from '@hookledger/domain';
import { endpointsProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const on = (id: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: endpointStreamId(id), event, recordedAt: at(second) });
const spec = () => projectorSpec(endpointsProjector, database.current);
const COLUMNS = `id, tenant_id, url, active, disabled_reason, paused, auth, signing_keys, keys_issued, version, created_at, updated_at, deleted_at`;
const rows = (given: GivenEvent[]) => spec().given(...given).query(`SELECT ${COLUMNS} FROM endpoints ORDER BY id`);

const created = (id: string, fields: Partial<EndpointCreatedData> = {}): EndpointCreatedData => ({
  ...DEFAULT_ENDPOINT_SETTINGS, url: `https://receiver.example/${id}`, id, tenant_id: 'acme', auth: null, adhoc: false, secret_key_id: `${id}.k1`, ...fields,
});
const row = (fields: Record<string, unknown>) => ({
  tenant_id: 'acme', active: true, disabled_reason: null, paused: false, auth: null, keys_issued: 1, deleted_at: null, ...fields,
});

describe('the endpoints projection', () => {
  it('a created endpoint is a row naming its signing key by id, stamped with the event time and stream version 1', async () => {
    const auth = { type: 'basic' as const, username: 'hooks', key_id: 'ep_1.auth1' };
    expect(await rows([on('ep_1', endpointCreated(created('ep_1', { auth })), 1)])).toEqual([row({
      id: 'ep_1', url: 'https://receiver.example/ep_1', auth, signing_keys: [{ key_id: 'ep_1.k1', expires_at: null }],
      version: 1, created_at: at(1), updated_at: at(1),
    })]);
  });

  it('changes, disables, enables, pauses and rotations move updated_at and the version; a circuit transition only the version', async () => {
    const given = [
      on('ep_1', endpointCreated(created('ep_1')), 1),
      on('ep_1', endpointUpdated({ id: 'ep_1', changes: { url: 'https://receiver.example/moved' } }), 2),
      on('ep_1', endpointDisabled({ id: 'ep_1', reason: 'the endpoint answered 410 Gone', by: 'system' }), 3),
      on('ep_1', endpointEnabled({ id: 'ep_1', by: 'operator' }), 4),
      on('ep_1', endpointPaused({ id: 'ep_1' }), 5),
      on('ep_1', endpointSecretRotated({ id: 'ep_1', secret_key_id: 'ep_1.k2', grace_period_s: 60, previous_expire_at: at(66).toISOString(), retired_key_ids: [] }), 6),
      on('ep_1', endpointCircuitOpened({
        id: 'ep_1', reason: 'failures', opened_at: at(7).toISOString(), retry_at: at(37).toISOString(), cooldown_s: 30, consecutive_failures: 5, window: null,
      }), 7),
    ];
    expect(await rows(given)).toEqual([row({
      id: 'ep_1', url: 'https://receiver.example/moved', paused: true, keys_issued: 2,
      signing_keys: [{ key_id: 'ep_1.k2', expires_at: null }, { key_id: 'ep_1.k1', expires_at: at(66).toISOString() }],
      version: 7, created_at: at(1), updated_at: at(6),
    })]);
  });

  it('a deleted endpoint keeps its row, inactive, deleted_at the event time', async () => {
    expect(await rows([on('ep_3', endpointCreated(created('ep_3')), 1), on('ep_3', endpointDeleted({ id: 'ep_3', reason: 'tenant deleted' }), 9)])).toEqual([row({
      id: 'ep_3', url: 'https://receiver.example/ep_3', active: false, disabled_reason: 'deleted', signing_keys: [{ key_id: 'ep_3.k1', expires_at: null }],
      version: 2, created_at: at(1), updated_at: at(9), deleted_at: at(9),
    })]);
  });

  it('reads schema_version 1 as stored before issue 12: keys named as the upgrade migration names them', async () => {
    const v1Created = { type: 'EndpointCreated', schema_version: 1, data: { id: 'ep_4', tenant_id: null, url: 'https://receiver.example/old', description: '',
      event_types: null, active: true, headers: {}, retry_schedule: null, timeout_ms: null, rate_limit_per_s: null, channels: null, metadata: {} } };
    const v1Rotated = { type: 'EndpointSecretRotated', schema_version: 1, data: { id: 'ep_4', grace_period_s: 0, previous_expire_at: null, keys_retired: 1 } };
    expect(await rows([on('ep_4', v1Created, 1), on('ep_4', v1Rotated, 2)])).toEqual([row({
      id: 'ep_4', tenant_id: 'default', url: 'https://receiver.example/old', keys_issued: 2,
      signing_keys: [{ key_id: legacySigningKeyId('ep_4', 2), expires_at: null }], version: 2, created_at: at(1), updated_at: at(2),
    })]);
  });

  it('skips event types it does not know, and keeps each stream to its own row', async () => {
    expect((await rows([
      on('ep_5', endpointCreated(created('ep_5')), 1),
      on('ep_6', endpointCreated(created('ep_6', { tenant_id: 'globex' })), 2),
      on('ep_5', { type: 'EndpointRenamed', data: { id: 'ep_5' } }, 3),
    ])).map((r) => [r.id, r.tenant_id, r.version])).toEqual([['ep_5', 'acme', 1], ['ep_6', 'globex', 1]]);
  });
});

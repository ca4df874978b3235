import {
  DEFAULT_ENDPOINT_SETTINGS, endpointCircuitClosed, endpointCircuitHalfOpened, endpointCircuitOpened, endpointCreated, EndpointCreatedData, endpointDeleted, endpointDisabled, endpointEnabled,
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

const CIRCUIT = `id, circuit_state, circuit_opened_at, circuit_retry_at, circuit_cooldown_s, circuit_probe_delivery_id, circuit_changed_at, enabled_at, version`;
const circuitRows = (given: GivenEvent[]) => spec().given(...given).query(`SELECT ${CIRCUIT} FROM endpoints ORDER BY id`);

describe('the endpoints projection', () => {
  it('holds the circuit as its transitions on the stream left it, and when each transition was recorded', async () => {
    const opened = on('ep_c', endpointCircuitOpened({
      id: 'ep_c', reason: 'failures', opened_at: at(2).toISOString(), retry_at: at(32).toISOString(), cooldown_s: 30, consecutive_failures: 5, window: null,
    }), 2);
    const halfOpened = on('ep_c', endpointCircuitHalfOpened({ id: 'ep_c', probe_delivery_id: 'dlv_probe' }), 33);
    const base = [on('ep_c', endpointCreated(created('ep_c')), 1), opened];
    expect(await circuitRows(base)).toEqual([{
      id: 'ep_c', circuit_state: 'open', circuit_opened_at: at(2), circuit_retry_at: at(32), circuit_cooldown_s: 30, circuit_probe_delivery_id: null,
      circuit_changed_at: at(2), enabled_at: null, version: 2,
    }]);
    expect(await circuitRows([...base, halfOpened])).toEqual([expect.objectContaining({
      circuit_state: 'half_open', circuit_opened_at: at(2), circuit_probe_delivery_id: 'dlv_probe', circuit_changed_at: at(33), version: 3,
    })]);
    expect(await circuitRows([...base, halfOpened, on('ep_c', endpointCircuitClosed({ id: 'ep_c', reason: 'delivery_succeeded' }), 34)])).toEqual([{
      id: 'ep_c', circuit_state: 'closed', circuit_opened_at: null, circuit_retry_at: null, circuit_cooldown_s: 0, circuit_probe_delivery_id: null,
      circuit_changed_at: at(34), enabled_at: null, version: 4,
    }]);
  });

  it('a circuit transition applied to a row written by an earlier batch keeps what the row held', async () => {
    // Each `given` event is its own batch when applied one by one: the row is read back between them.
    const rowsOneByOne = await spec().givenOneByOne(
      on('ep_d', endpointCreated(created('ep_d')), 1),
      on('ep_d', endpointCircuitOpened({ id: 'ep_d', reason: 'failures', opened_at: at(2).toISOString(), retry_at: at(32).toISOString(), cooldown_s: 30, consecutive_failures: 5, window: null }), 2),
      on('ep_d', endpointCircuitHalfOpened({ id: 'ep_d', probe_delivery_id: 'dlv_probe' }), 40),
    ).query(`SELECT ${CIRCUIT} FROM endpoints`);
    expect(rowsOneByOne).toEqual([expect.objectContaining({ circuit_state: 'half_open', circuit_opened_at: at(2), circuit_retry_at: at(32), circuit_cooldown_s: 30 })]);
  });

  it('stamps enabled_at when an endpoint goes from disabled to enabled, by the enable route or a PATCH', async () => {
    const disabled = [
      on('ep_e', endpointCreated(created('ep_e')), 1),
      on('ep_e', endpointUpdated({ id: 'ep_e', changes: { active: true, url: 'https://receiver.example/same' } }), 2),
      on('ep_e', endpointDisabled({ id: 'ep_e', reason: 'the endpoint answered 410 Gone', by: 'system' }), 3),
    ];
    expect((await circuitRows(disabled))[0].enabled_at).toBeNull();
    expect((await circuitRows([...disabled, on('ep_e', endpointEnabled({ id: 'ep_e', by: 'operator' }), 4)]))[0].enabled_at).toEqual(at(4));
    expect((await circuitRows([...disabled, on('ep_e', endpointUpdated({ id: 'ep_e', changes: { active: true } }), 5)]))[0].enabled_at).toEqual(at(5));
  });

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

  it('a chat provider\'s type, options and template, kept across batches; an endpoint from before them is a webhook', async () => {
    const telegram = created('ep_t', { url: '', type: 'telegram', provider: { chat_id: '-100', bot_token_key_id: 'ep_t.bot' }, template: '<b>{{type}}</b>' });
    const { type: _type, provider: _provider, template: _template, ...beforeChatProviders } = created('ep_w');
    const chatRows = await spec().givenOneByOne(
      on('ep_t', endpointCreated(telegram), 1),
      on('ep_t', endpointUpdated({ id: 'ep_t', changes: { provider: { chat_id: '-200', bot_token_key_id: 'ep_t.bot' } } }), 2),
      on('ep_t', endpointPaused({ id: 'ep_t' }), 3),
      on('ep_w', endpointCreated(beforeChatProviders), 4),
    ).query(`SELECT id, url, type, provider, template FROM endpoints ORDER BY id`);
    expect(chatRows).toEqual([
      { id: 'ep_t', url: '', type: 'telegram', provider: { chat_id: '-200', bot_token_key_id: 'ep_t.bot' }, template: '<b>{{type}}</b>' },
      { id: 'ep_w', url: 'https://receiver.example/ep_w', type: 'webhook', provider: null, template: null },
    ]);
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

import type { EndpointEvent } from './endpoint-events';
import { endpointCircuitOpened } from './endpoint-circuit-events';
import { advanceEndpointTimes, endpointRow, EndpointTimes } from './endpoint-row';
import { endpointStateFrom, evolveEndpoint, initialEndpointState } from './endpoint-state';

/** Events exactly as the store holds them from before issue 12 (schema_version 1). */
const v1 = (type: string, data: object) => ({ type, schema_version: 1, data }) as unknown as EndpointEvent;

const settingsV1 = {
  url: 'https://example.com/hooks', description: '', event_types: ['invoice.*'], active: true, headers: { 'x-team': 'billing' },
  retry_schedule: [5, 60], timeout_ms: null, rate_limit_per_s: 10, channels: null, metadata: { plan: 'pro' },
};
/** As the API wrote it before the endpoint-options migration and before tenants. */
const createdBeforeOptions = v1('EndpointCreated', { id: 'ep_1', tenant_id: null, ...settingsV1 });
/** As the API writes it today. */
const createdToday = v1('EndpointCreated', {
  id: 'ep_1', tenant_id: 'acme', ...settingsV1, filter: { amount: { $gte: 10 } }, payload_format: 'data', signature_profile: 'github',
  auth: { type: 'basic', username: 'hooks' },
});

describe('evolve reads the endpoint events already in the store', () => {
  it('an EndpointCreated from before endpoint options and tenants: the column defaults and the default tenant', () => {
    expect(endpointStateFrom([createdBeforeOptions])).toMatchObject({
      status: 'live', id: 'ep_1', tenant_id: 'default', ...settingsV1, filter: null, payload_format: 'envelope', signature_profile: 'standard',
      auth: null, adhoc: false, disabled_reason: null, paused: false, signing_keys: [{ key_id: 'ep_1.signing.1', expires_at: null }], keys_issued: 1,
    });
  });

  it('today’s EndpointCreated: its auth named by the key id the upgrade gives the sealed credential', () => {
    expect(endpointStateFrom([createdToday])).toMatchObject({
      tenant_id: 'acme', filter: { amount: { $gte: 10 } }, payload_format: 'data', signature_profile: 'github',
      auth: { type: 'basic', username: 'hooks', key_id: 'ep_1.auth' },
    });
  });

  it('an EndpointCreated from before chat providers reads as a webhook; a Telegram one names its sealed bot token only', () => {
    expect(endpointStateFrom([createdBeforeOptions])).toMatchObject({ type: 'webhook', provider: null, template: null });
    const telegram = {
      type: 'EndpointCreated', schema_version: 2,
      data: {
        id: 'ep_2', tenant_id: 'acme', ...settingsV1, url: '', type: 'telegram', provider: { chat_id: '-100', bot_token_key_id: 'key_9' },
        template: '<b>{{type}}</b>', filter: null, payload_format: 'envelope', signature_profile: 'standard', auth: null, adhoc: false, secret_key_id: 'key_1',
      },
    } as EndpointEvent;
    expect(endpointStateFrom([telegram, { type: 'EndpointUpdated', schema_version: 2, data: { id: 'ep_2', changes: { template: null } } }])).toMatchObject({
      type: 'telegram', provider: { chat_id: '-100', bot_token_key_id: 'key_9' }, template: null,
    });
  });

  it('an ad-hoc destination’s EndpointCreated', () => {
    const adhoc = v1('EndpointCreated', { id: 'ep_2', tenant_id: 'acme', ...settingsV1, description: 'ad-hoc destination', auth: null, adhoc: true });
    expect(endpointStateFrom([adhoc])).toMatchObject({ adhoc: true, description: 'ad-hoc destination', auth: null });
  });

  it('EndpointUpdated: settings and auth replaced; turning active off gives the operator’s reason', () => {
    const state = endpointStateFrom([
      createdToday,
      v1('EndpointUpdated', { id: 'ep_1', changes: { url: 'https://example.com/v2', auth: { type: 'bearer' }, active: false } }),
    ]);
    expect(state).toMatchObject({ url: 'https://example.com/v2', auth: { type: 'bearer', key_id: 'ep_1.auth' }, active: false, disabled_reason: 'disabled by an operator' });
    const enabled = evolveEndpoint(state, v1('EndpointUpdated', { id: 'ep_1', changes: { active: true } }));
    expect(enabled).toMatchObject({ active: true, disabled_reason: null });
  });

  it('an old PATCH {active: false} on an endpoint already off kept the reason it had', () => {
    const disabled = [createdToday, v1('EndpointDisabled', { id: 'ep_1', reason: 'the endpoint answered 410 Gone', by: 'system' })];
    expect(endpointStateFrom([...disabled, v1('EndpointUpdated', { id: 'ep_1', changes: { active: false } })]).disabled_reason)
      .toBe('the endpoint answered 410 Gone');
    const createdOff = v1('EndpointCreated', { id: 'ep_1', tenant_id: 'acme', ...settingsV1, active: false });
    expect(endpointStateFrom([createdOff]).disabled_reason).toBeNull();
    expect(endpointStateFrom([createdOff, v1('EndpointUpdated', { id: 'ep_1', changes: { active: false } })]).disabled_reason).toBe('disabled by an operator');
  });

  it('EndpointSecretRotated: the keys counted, the retired ones dropped from the tail', () => {
    const rotations = [
      v1('EndpointSecretRotated', { id: 'ep_1', grace_period_s: 60, previous_expire_at: '2024-01-01T00:01:00.000Z', keys_retired: 0 }),
      v1('EndpointSecretRotated', { id: 'ep_1', grace_period_s: 3600, previous_expire_at: '2024-01-01T01:10:00.000Z', keys_retired: 1 }),
    ];
    expect(endpointStateFrom([createdToday, ...rotations]).signing_keys).toEqual([
      { key_id: 'ep_1.signing.3', expires_at: null },
      { key_id: 'ep_1.signing.2', expires_at: '2024-01-01T01:10:00.000Z' },
    ]);
    const switched = v1('EndpointSecretRotated', {
      id: 'ep_1', grace_period_s: 0, previous_expire_at: null, keys_retired: 2, signature_profile: { from: 'github', to: 'standard-ed25519' },
    });
    expect(endpointStateFrom([createdToday, ...rotations, switched])).toMatchObject({
      signing_keys: [{ key_id: 'ep_1.signing.4', expires_at: null }], keys_issued: 4, signature_profile: 'standard-ed25519',
    });
  });

  it('disabled, enabled, paused, resumed and deleted', () => {
    const history = [createdToday, v1('EndpointDisabled', { id: 'ep_1', reason: 'moving', by: 'operator' }), v1('EndpointPaused', { id: 'ep_1' })];
    expect(endpointStateFrom(history)).toMatchObject({ active: false, disabled_reason: 'moving', paused: true });
    expect(endpointStateFrom([...history, v1('EndpointEnabled', { id: 'ep_1', by: 'operator' }), v1('EndpointResumed', { id: 'ep_1' })]))
      .toMatchObject({ active: true, disabled_reason: null, paused: false });
    expect(endpointStateFrom([...history, v1('EndpointDeleted', { id: 'ep_1', reason: 'tenant deleted' })]))
      .toMatchObject({ status: 'deleted', active: false, disabled_reason: 'deleted' });
  });

  it('ignores event types it does not know', () => {
    const state = endpointStateFrom([createdToday]);
    expect(evolveEndpoint(state, v1('EndpointRenamed', { id: 'ep_1' }))).toBe(state);
    expect(evolveEndpoint(initialEndpointState, v1('EndpointRenamed', {}))).toBe(initialEndpointState);
  });
});

describe('the endpoints row, from events alone', () => {
  const recorded: [EndpointEvent, string][] = [
    [createdToday, '2024-01-01T00:00:00.000Z'],
    [v1('EndpointPaused', { id: 'ep_1' }), '2024-01-02T00:00:00.000Z'],
    [endpointCircuitOpened({ id: 'ep_1', reason: 'failures', opened_at: 'x', retry_at: 'y', cooldown_s: 30, consecutive_failures: 5, window: null }), '2024-01-03T00:00:00.000Z'],
  ];
  const fold = (events: [EndpointEvent, string][]) => {
    let times: EndpointTimes | null = null;
    let state = initialEndpointState;
    for (const [event, at] of events) {
      const after = evolveEndpoint(state, event);
      times = advanceEndpointTimes(times, event, new Date(at), state, after);
      state = after;
    }
    return { state, times: times as EndpointTimes };
  };

  it('has every column the API answers, and no sealed material', () => {
    const { state, times } = fold(recorded);
    expect(endpointRow(state, times, 3)).toEqual({
      id: 'ep_1', tenant_id: 'acme', ...settingsV1, filter: { amount: { $gte: 10 } }, payload_format: 'data', signature_profile: 'github',
      disabled_reason: null, paused: true, adhoc: false, auth: { type: 'basic', username: 'hooks', key_id: 'ep_1.auth' },
      // Written before chat providers existed: a webhook.
      type: 'webhook', provider: null, template: null,
      signing_keys: [{ key_id: 'ep_1.signing.1', expires_at: null }], version: 3,
      circuit_state: 'open', circuit_opened_at: 'x', circuit_retry_at: 'y', circuit_cooldown_s: 30, circuit_probe_delivery_id: null,
      // A circuit transition is no change to the endpoint's settings.
      created_at: new Date('2024-01-01T00:00:00.000Z'), updated_at: new Date('2024-01-02T00:00:00.000Z'), deleted_at: null,
      enabled_at: null, circuit_changed_at: new Date('2024-01-03T00:00:00.000Z'),
    });
  });

  it('a deleted endpoint’s row keeps its history, deleted when the delete was recorded', () => {
    const { state, times } = fold([...recorded, [v1('EndpointDeleted', { id: 'ep_1' }), '2024-01-04T00:00:00.000Z']]);
    expect(endpointRow(state, times, 4)).toMatchObject({
      active: false, disabled_reason: 'deleted', updated_at: new Date('2024-01-04T00:00:00.000Z'), deleted_at: new Date('2024-01-04T00:00:00.000Z'),
    });
  });

  it('there is no row before the endpoint is created', () => {
    expect(endpointRow(initialEndpointState, { created_at: new Date(), updated_at: new Date(), deleted_at: null, enabled_at: null, circuit_changed_at: null }, 0)).toBeNull();
  });

  it('records when an endpoint was last enabled, which an old PATCH repeating active: true on an active endpoint is not', () => {
    const enabled = fold([
      ...recorded,
      [v1('EndpointUpdated', { id: 'ep_1', changes: { active: true } }), '2024-01-04T00:00:00.000Z'],
      [v1('EndpointDisabled', { id: 'ep_1' }), '2024-01-05T00:00:00.000Z'],
      [v1('EndpointEnabled', { id: 'ep_1' }), '2024-01-06T00:00:00.000Z'],
    ]);
    expect(endpointRow(enabled.state, enabled.times, 6)).toMatchObject({ active: true, enabled_at: new Date('2024-01-06T00:00:00.000Z') });
    expect(fold([...recorded, [v1('EndpointUpdated', { id: 'ep_1', changes: { active: true } }), '2024-01-04T00:00:00.000Z']]).times.enabled_at).toBeNull();
  });
});

import { DomainRuleError } from '../domain-event';
import type { EndpointCommand } from './endpoint-commands';
import { decideEndpoint } from './endpoint-decider';
import {
  EndpointEvent, endpointCreated, EndpointCreatedData, endpointDeleted, endpointDisabled, endpointEnabled, endpointPaused, endpointResumed,
  endpointUpdated,
} from './endpoint-events';
import { endpointCircuitClosed, endpointCircuitOpened } from './endpoint-circuit-events';
import { endpointStateFrom } from './endpoint-state';

const id = 'ep_1';
const settings = { url: 'https://example.com/hooks', description: 'billing', event_types: ['invoice.*'] };
const created = endpointCreated({
  id, tenant_id: 'acme', url: 'https://example.com/hooks', description: 'billing', event_types: ['invoice.*'], active: true, headers: {},
  retry_schedule: null, timeout_ms: null, rate_limit_per_s: null, channels: null, metadata: {}, filter: null, payload_format: 'envelope',
  signature_profile: 'standard', type: 'webhook', provider: null, template: null, auth: null, adhoc: false, secret_key_id: 'key_1',
} satisfies EndpointCreatedData);
const deleted = endpointDeleted({ id });
const circuitOpened = endpointCircuitOpened({
  id, reason: 'failures', opened_at: '2024-01-01T00:00:00.000Z', retry_at: '2024-01-01T00:00:30.000Z', cooldown_s: 30, consecutive_failures: 5, window: null,
});

/** Given an endpoint's past events, when a command is decided, then these events follow (or it is refused). */
function given(...history: EndpointEvent[]) {
  const state = endpointStateFrom(history);
  return {
    when: (command: EndpointCommand) => ({
      then: (expected: readonly EndpointEvent[]) => expect(decideEndpoint(command, state)).toEqual(expected),
      thenRefuses: (kind: DomainRuleError['kind'], message: RegExp) => {
        let refusal: unknown;
        try {
          decideEndpoint(command, state);
        } catch (error) {
          refusal = error;
        }
        expect(refusal).toBeInstanceOf(DomainRuleError);
        expect(refusal).toMatchObject({ kind, message: expect.stringMatching(message) });
      },
    }),
  };
}

describe('creating an endpoint', () => {
  it('records every setting, the defaults for those not given, and the signing key by id', () => {
    given()
      .when({ type: 'CreateEndpoint', endpoint_id: id, tenant_id: 'acme', settings, auth: null, secret_key_id: 'key_1', adhoc: false })
      .then([created]);
  });

  it('drops repeated subscriptions and stores an empty list as "everything" (null)', () => {
    const command = { type: 'CreateEndpoint', endpoint_id: id, tenant_id: 'acme', auth: null, secret_key_id: 'key_1', adhoc: false } as const;
    const [event] = decideEndpoint({ ...command, settings: { ...settings, event_types: ['a.b', 'a.b'], channels: [] } }, endpointStateFrom([]));
    expect(event.data).toMatchObject({ event_types: ['a.b'], channels: null });
  });

  it('names the auth credential by its key id, never the password or token', () => {
    const auth = { type: 'basic', username: 'hooks', key_id: 'key_auth_1' } as const;
    const [event] = decideEndpoint({ type: 'CreateEndpoint', endpoint_id: id, tenant_id: 'acme', settings, auth, secret_key_id: 'key_1', adhoc: false }, endpointStateFrom([]));
    expect(event.data).toMatchObject({ auth: { type: 'basic', username: 'hooks', key_id: 'key_auth_1' } });
    expect(JSON.stringify(event)).not.toMatch(/password|token|sealed/);
  });

  it('refuses an id already taken', () => {
    given(created)
      .when({ type: 'CreateEndpoint', endpoint_id: id, tenant_id: 'acme', settings, auth: null, secret_key_id: 'key_2', adhoc: false })
      .thenRefuses('conflict', /already exists/);
  });
});

describe('updating an endpoint (PATCH)', () => {
  it('records the settings given, normalised', () => {
    given(created)
      .when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { url: 'https://example.com/v2', event_types: [] } })
      .then([endpointUpdated({ id, changes: { url: 'https://example.com/v2', event_types: null } })]);
  });

  it('leaves out `active` when it does not change it', () => {
    given(created)
      .when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { active: true, description: 'x' } })
      .then([endpointUpdated({ id, changes: { description: 'x' } })]);
  });

  it('records auth when given, and null when it is removed', () => {
    const auth = { type: 'bearer', key_id: 'key_auth_2' } as const;
    given(created).when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { auth } }).then([endpointUpdated({ id, changes: { auth } })]);
    given(created).when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { auth: null } }).then([endpointUpdated({ id, changes: { auth: null } })]);
  });

  it('an endpoint\'s type stays what it was created as', () => {
    given(created)
      .when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { type: 'slack' } })
      .thenRefuses('conflict', /stays the webhook it was created as/);
  });

  it('between HMAC profiles the key carries over', () => {
    given(created)
      .when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { signature_profile: 'github' } })
      .then([endpointUpdated({ id, changes: { signature_profile: 'github' } })]);
  });

  it('refuses a profile that signs with another kind of key: that takes a rotation', () => {
    given(created)
      .when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { signature_profile: 'standard-ed25519' } })
      .thenRefuses('conflict', /different kinds of key; rotate the secret/);
  });

  it('turning a disabled endpoint on closes a circuit left open', () => {
    given(created, circuitOpened, endpointDisabled({ id, reason: 'gone', by: 'system' }))
      .when({ type: 'UpdateEndpoint', endpoint_id: id, changes: { active: true } })
      .then([endpointUpdated({ id, changes: { active: true } }), endpointCircuitClosed({ id, reason: 'endpoint_enabled' })]);
  });
});

describe('disabling and enabling', () => {
  it('an operator disables with a reason, or the default one', () => {
    given(created)
      .when({ type: 'DisableEndpoint', endpoint_id: id, by: 'operator', reason: 'moving receivers' })
      .then([endpointDisabled({ id, reason: 'moving receivers', by: 'operator' })]);
    given(created)
      .when({ type: 'DisableEndpoint', endpoint_id: id, by: 'operator' })
      .then([endpointDisabled({ id, reason: 'disabled by an operator', by: 'operator' })]);
  });

  it('an operator’s disable leaves the circuit as it is', () => {
    given(created, circuitOpened)
      .when({ type: 'DisableEndpoint', endpoint_id: id, by: 'operator' })
      .then([endpointDisabled({ id, reason: 'disabled by an operator', by: 'operator' })]);
  });

  it('the system’s disable closes the circuit, releasing the deliveries it held', () => {
    given(created, circuitOpened)
      .when({ type: 'DisableEndpoint', endpoint_id: id, by: 'system', reason: 'the endpoint answered 410 Gone' })
      .then([endpointDisabled({ id, reason: 'the endpoint answered 410 Gone', by: 'system' }), endpointCircuitClosed({ id, reason: 'endpoint_disabled' })]);
  });

  it('disabling a disabled endpoint records nothing, whatever the reason', () => {
    given(created, endpointDisabled({ id, reason: 'first', by: 'operator' }))
      .when({ type: 'DisableEndpoint', endpoint_id: id, by: 'operator', reason: 'second' })
      .then([]);
  });

  it('enabling records the enable, and closes a circuit left open', () => {
    given(created, endpointDisabled({ id, reason: 'x', by: 'operator' }))
      .when({ type: 'EnableEndpoint', endpoint_id: id, by: 'operator' })
      .then([endpointEnabled({ id, by: 'operator' })]);
    given(created, circuitOpened, endpointDisabled({ id, reason: 'x', by: 'operator' }))
      .when({ type: 'EnableEndpoint', endpoint_id: id, by: 'operator' })
      .then([endpointEnabled({ id, by: 'operator' }), endpointCircuitClosed({ id, reason: 'endpoint_enabled' })]);
  });

  it('enabling an enabled endpoint records nothing', () => {
    given(created).when({ type: 'EnableEndpoint', endpoint_id: id, by: 'operator' }).then([]);
  });
});

describe('pausing and resuming', () => {
  it('pauses, and a second pause records nothing', () => {
    given(created).when({ type: 'PauseEndpoint', endpoint_id: id }).then([endpointPaused({ id })]);
    given(created, endpointPaused({ id })).when({ type: 'PauseEndpoint', endpoint_id: id }).then([]);
  });

  it('resumes a paused endpoint; resuming one not paused records nothing', () => {
    given(created, endpointPaused({ id })).when({ type: 'ResumeEndpoint', endpoint_id: id }).then([endpointResumed({ id })]);
    given(created).when({ type: 'ResumeEndpoint', endpoint_id: id }).then([]);
  });

  it('a disabled endpoint can still be paused', () => {
    given(created, endpointDisabled({ id, reason: 'x', by: 'operator' })).when({ type: 'PauseEndpoint', endpoint_id: id }).then([endpointPaused({ id })]);
  });
});

describe('deleting', () => {
  it('records the delete, with why when something else took it along', () => {
    given(created).when({ type: 'DeleteEndpoint', endpoint_id: id }).then([endpointDeleted({ id })]);
    given(created).when({ type: 'DeleteEndpoint', endpoint_id: id, reason: 'tenant deleted' }).then([endpointDeleted({ id, reason: 'tenant deleted' })]);
  });

  it.each<EndpointCommand>([
    { type: 'UpdateEndpoint', endpoint_id: id, changes: { description: 'x' } },
    { type: 'DeleteEndpoint', endpoint_id: id },
    { type: 'DisableEndpoint', endpoint_id: id, by: 'operator' },
    { type: 'EnableEndpoint', endpoint_id: id, by: 'operator' },
    { type: 'PauseEndpoint', endpoint_id: id },
    { type: 'ResumeEndpoint', endpoint_id: id },
    { type: 'RotateEndpointSecret', endpoint_id: id, secret_key_id: 'key_2', grace_period_s: 60, now: new Date() },
    { type: 'CloseEndpointCircuit', endpoint_id: id, reason: 'delivery_succeeded' },
  ])('a deleted endpoint is not found: $type', (command) => {
    given(created, deleted).when(command).thenRefuses('not_found', /Endpoint ep_1 does not exist/);
  });

  it('an endpoint never created is not found', () => {
    given().when({ type: 'PauseEndpoint', endpoint_id: 'ep_missing' }).thenRefuses('not_found', /Endpoint ep_missing does not exist/);
  });
});

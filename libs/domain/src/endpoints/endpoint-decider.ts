import { Decider, DomainRuleError } from '../domain-event';
import { keyKindOf } from '../signing/signature-profiles';
import { decideCircuit, enablingClosesCircuit } from './endpoint-circuit-rules';
import type { CreateEndpoint, DisableEndpoint, EndpointCommand, RotateEndpointSecret, UpdateEndpoint } from './endpoint-commands';
import {
  CurrentEndpointEvent, EndpointChanges, EndpointEvent, endpointCreated, endpointDeleted, endpointDisabled, endpointEnabled, endpointPaused,
  endpointResumed, endpointSecretRotated, endpointUpdated,
} from './endpoint-events';
import { ENDPOINT_SETTING_FIELDS, normaliseSubscriptionList, settingsWithDefaults } from './endpoint-settings';
import { planRotation } from './endpoint-signing-keys';
import { EndpointState, evolveEndpoint, initialEndpointState, OPERATOR_DISABLED_REASON } from './endpoint-state';

/**
 * The endpoint's rules, as the API applied them before issue 12: a deleted or unknown endpoint is
 * not found; asking for the state it is already in (disable a disabled one, pause a paused one)
 * records nothing, and the API answers the endpoint as it is.
 */
export function decideEndpoint(command: EndpointCommand, state: EndpointState): CurrentEndpointEvent[] {
  if (command.type === 'CreateEndpoint') return create(command, state);
  if (state.status !== 'live') throw new DomainRuleError('not_found', `Endpoint ${command.endpoint_id} does not exist.`);
  const id = state.id;
  switch (command.type) {
    case 'UpdateEndpoint':
      return update(command, state);
    case 'RotateEndpointSecret':
      return rotate(command, state);
    case 'DisableEndpoint':
      return disable(command, state);
    case 'EnableEndpoint':
      return state.active ? [] : [endpointEnabled({ id, by: command.by }), ...enablingClosesCircuit(state)];
    case 'PauseEndpoint':
      return state.paused ? [] : [endpointPaused({ id })];
    case 'ResumeEndpoint':
      return state.paused ? [endpointResumed({ id })] : [];
    case 'DeleteEndpoint':
      return [endpointDeleted({ id, ...(command.reason !== undefined && { reason: command.reason }) })];
    default:
      return decideCircuit(command, state);
  }
}

function create(command: CreateEndpoint, state: EndpointState): CurrentEndpointEvent[] {
  if (state.status !== 'absent') throw new DomainRuleError('conflict', `Endpoint ${command.endpoint_id} already exists.`);
  return [endpointCreated({
    id: command.endpoint_id,
    tenant_id: command.tenant_id,
    ...settingsWithDefaults(command.settings),
    auth: command.auth,
    adhoc: command.adhoc,
    secret_key_id: command.secret_key_id,
  })];
}

/**
 * Every setting given is recorded, changed or not (as PATCH always did), but `active` only when it
 * changes: a PATCH {active: true} on an enabled endpoint must not look like an enable in the ledger.
 */
function update(command: UpdateEndpoint, state: EndpointState): CurrentEndpointEvent[] {
  const given = command.changes;
  if (given.type !== undefined && given.type !== state.type) {
    throw new DomainRuleError('conflict', `type: an endpoint stays the ${state.type} it was created as; create a new endpoint of type ${given.type} instead.`, 'type');
  }
  if (given.signature_profile !== undefined && keyKindOf(given.signature_profile) !== keyKindOf(state.signature_profile)) {
    const [from, to] = [state.signature_profile, given.signature_profile];
    throw new DomainRuleError('conflict',
      `signature_profile: ${from} and ${to} sign with different kinds of key; rotate the secret with {"signature_profile": "${to}"} instead (POST /v1/endpoints/:id/secret/rotate).`,
      'signature_profile');
  }
  const changes: Record<string, unknown> = {};
  for (const field of ENDPOINT_SETTING_FIELDS) {
    const value = given[field];
    if (value === undefined) continue;
    changes[field] = field === 'event_types' || field === 'channels' ? normaliseSubscriptionList(value as readonly string[]) : value;
  }
  if (changes.active === state.active) delete changes.active;
  if (given.auth !== undefined) changes.auth = given.auth;
  const updated = endpointUpdated({ id: state.id, changes: changes as EndpointChanges });
  return changes.active === true ? [updated, ...enablingClosesCircuit(state)] : [updated];
}

function rotate(command: RotateEndpointSecret, state: EndpointState): CurrentEndpointEvent[] {
  const profile = command.signature_profile ?? state.signature_profile;
  return [endpointSecretRotated({
    id: state.id,
    secret_key_id: command.secret_key_id,
    grace_period_s: command.grace_period_s,
    ...planRotation(state.signing_keys, command.now, command.grace_period_s),
    ...(profile !== state.signature_profile && { signature_profile: { from: state.signature_profile, to: profile } }),
  })];
}

/**
 * The system disables an endpoint (410 Gone, or failing for too long) with its circuit reset, so
 * the deliveries the circuit held are released and end as endpoint_disabled instead of waiting
 * forever; an operator's disable leaves the circuit as it is, as it always did.
 */
function disable(command: DisableEndpoint, state: EndpointState): CurrentEndpointEvent[] {
  if (!state.active) return [];
  const disabled = endpointDisabled({ id: state.id, reason: command.reason ?? OPERATOR_DISABLED_REASON, by: command.by });
  return command.by === 'system' ? [disabled, ...decideCircuit({ type: 'CloseEndpointCircuit', endpoint_id: state.id, reason: 'endpoint_disabled' }, state)] : [disabled];
}

export const endpointDecider: Decider<EndpointCommand, EndpointState, EndpointEvent> = {
  initialState: initialEndpointState,
  decide: decideEndpoint,
  evolve: evolveEndpoint,
};

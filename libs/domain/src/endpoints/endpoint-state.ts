import type { CircuitState } from '../health/circuit-breaker';
import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';
import type { CurrentEndpointEvent, EndpointChanges, EndpointEvent } from './endpoint-events';
import { upcastEndpointEvent } from './endpoint-legacy-events';
import { DEFAULT_ENDPOINT_SETTINGS, EndpointAuthReference, EndpointSettings, pickSettings } from './endpoint-settings';
import { keysAfterRotation, SigningKeyReference } from './endpoint-signing-keys';

/** `absent`: no EndpointCreated yet; `deleted`: gone for the API (404), its stream kept for history. */
export type EndpointStatus = 'absent' | 'live' | 'deleted';

export interface EndpointCircuit {
  readonly state: CircuitState;
  /** ISO-8601. */
  readonly opened_at: string | null;
  readonly retry_at: string | null;
  readonly cooldown_s: number;
  /** While half-open: the held delivery let through as the probe. */
  readonly probe_delivery_id: string | null;
}

/**
 * Everything the API answers for an endpoint (but the times the store records, see endpoint-row.ts)
 * and everything decide needs to refuse a command, folded from the endpoint's events alone.
 */
export type EndpointState = Readonly<EndpointSettings> & {
  readonly status: EndpointStatus;
  readonly id: string;
  readonly tenant_id: string;
  readonly disabled_reason: string | null;
  readonly paused: boolean;
  readonly adhoc: boolean;
  readonly auth: EndpointAuthReference | null;
  /** Newest first, expired ones included until a rotation retires them (the row keeps them too). */
  readonly signing_keys: readonly SigningKeyReference[];
  /** Signing keys issued over the endpoint's life: the legacy key ids count them. */
  readonly keys_issued: number;
  readonly circuit: EndpointCircuit;
};

export const OPERATOR_DISABLED_REASON = 'disabled by an operator';
/** What a deleted endpoint's row says, as EndpointProjection.delete wrote it before issue 12. */
export const DELETED_REASON = 'deleted';

export const closedCircuit: EndpointCircuit = Object.freeze({ state: 'closed', opened_at: null, retry_at: null, cooldown_s: 0, probe_delivery_id: null });

export const initialEndpointState: EndpointState = Object.freeze({
  ...DEFAULT_ENDPOINT_SETTINGS,
  url: '',
  status: 'absent',
  id: '',
  tenant_id: DEFAULT_TENANT,
  disabled_reason: null,
  paused: false,
  adhoc: false,
  auth: null,
  signing_keys: [],
  keys_issued: 0,
  circuit: closedCircuit,
});

/** Folds one event, of any schema version still in the store, into the endpoint's state. */
export function evolveEndpoint(state: EndpointState, event: EndpointEvent): EndpointState {
  return evolveCurrent(state, upcastEndpointEvent(event, state));
}

function evolveCurrent(state: EndpointState, event: CurrentEndpointEvent): EndpointState {
  switch (event.type) {
    case 'EndpointCreated': {
      const { secret_key_id, ...data } = event.data;
      return { ...initialEndpointState, ...data, status: 'live', signing_keys: [{ key_id: secret_key_id, expires_at: null }], keys_issued: 1 };
    }
    case 'EndpointUpdated':
      return applyChanges(state, event.data.changes);
    case 'EndpointSecretRotated':
      return {
        ...state,
        signing_keys: keysAfterRotation(state.signing_keys, event.data.secret_key_id, event.data),
        keys_issued: state.keys_issued + 1,
        signature_profile: event.data.signature_profile?.to ?? state.signature_profile,
      };
    case 'EndpointDisabled':
      return { ...state, active: false, disabled_reason: event.data.reason };
    case 'EndpointEnabled':
      return { ...state, active: true, disabled_reason: null };
    case 'EndpointPaused':
      return { ...state, paused: true };
    case 'EndpointResumed':
      return { ...state, paused: false };
    case 'EndpointDeleted':
      return { ...state, status: 'deleted', active: false, disabled_reason: DELETED_REASON };
    case 'EndpointCircuitOpened': {
      const { opened_at, retry_at, cooldown_s } = event.data;
      return { ...state, circuit: { state: 'open', opened_at, retry_at, cooldown_s, probe_delivery_id: null } };
    }
    case 'EndpointCircuitHalfOpened':
      return { ...state, circuit: { ...state.circuit, state: 'half_open', probe_delivery_id: event.data.probe_delivery_id } };
    case 'EndpointCircuitClosed':
      return { ...state, circuit: closedCircuit };
    default:
      // A type this code does not know (written by a newer version): it changes nothing here.
      return state;
  }
}

/**
 * A PATCH: the settings given replace the old ones. Turning `active` off gives the operator's
 * reason — unless the endpoint was already off, which only old events record (PATCH used to keep
 * `active` even when unchanged), and which kept the reason it had.
 */
function applyChanges(state: EndpointState, changes: EndpointChanges): EndpointState {
  const next: EndpointState = { ...state, ...pickSettings(changes), ...(changes.auth !== undefined && { auth: changes.auth }) };
  if (changes.active === true) return { ...next, disabled_reason: null };
  if (changes.active === false) return { ...next, disabled_reason: state.active ? OPERATOR_DISABLED_REASON : state.disabled_reason ?? OPERATOR_DISABLED_REASON };
  return next;
}

/** Folds an endpoint stream's events, oldest first. */
export function endpointStateFrom(events: Iterable<EndpointEvent>): EndpointState {
  let state = initialEndpointState;
  for (const event of events) state = evolveEndpoint(state, event);
  return state;
}

import type { CircuitCloseReason, CircuitOpenReason, EndpointCircuitOpenedData } from './endpoint-circuit-events';
import type { EndpointActorKind } from './endpoint-events';
import type { EndpointAuthReference, EndpointSettings } from './endpoint-settings';

/**
 * What may be asked of an endpoint. Plain data carrying everything decide needs: ids (the
 * endpoint's, the sealed keys') and `now` are made outside, and so is every check that needs I/O
 * or answers HTTP-specific statuses (the SSRF check of the URL, the tenant's endpoint quota,
 * payload filter cost and credential headers, sealing the secret or auth credential).
 */
export type CreateEndpoint = {
  type: 'CreateEndpoint';
  endpoint_id: string;
  tenant_id: string;
  /** As the client gave them; decide fills in the defaults and normalises the subscription lists. */
  settings: Partial<EndpointSettings> & { url: string };
  auth: EndpointAuthReference | null;
  secret_key_id: string;
  adhoc: boolean;
};

export type UpdateEndpoint = {
  type: 'UpdateEndpoint';
  endpoint_id: string;
  /** The settings a PATCH gave; `auth` when given (null removes it). */
  changes: Partial<EndpointSettings> & { auth?: EndpointAuthReference | null };
};

export type RotateEndpointSecret = {
  type: 'RotateEndpointSecret';
  endpoint_id: string;
  secret_key_id: string;
  grace_period_s: number;
  /** Switch profiles with the new key (the only way between HMAC and standard-ed25519). */
  signature_profile?: EndpointSettings['signature_profile'];
  now: Date;
};

/** An operator's reason defaults to "disabled by an operator"; the system always says why (410 Gone, failing since …). */
export type DisableEndpoint =
  | { type: 'DisableEndpoint'; endpoint_id: string; by: 'operator'; reason?: string }
  | { type: 'DisableEndpoint'; endpoint_id: string; by: 'system'; reason: string };
export type EnableEndpoint = { type: 'EnableEndpoint'; endpoint_id: string; by: EndpointActorKind };
export type PauseEndpoint = { type: 'PauseEndpoint'; endpoint_id: string };
export type ResumeEndpoint = { type: 'ResumeEndpoint'; endpoint_id: string };
export type DeleteEndpoint = { type: 'DeleteEndpoint'; endpoint_id: string; reason?: string };

/** The dispatcher (recordAttempts said "opened") or the circuit prober (probe lost). */
export type OpenEndpointCircuit = {
  type: 'OpenEndpointCircuit';
  endpoint_id: string;
  reason: CircuitOpenReason;
  retry_at: Date;
  cooldown_s: number;
  consecutive_failures: number;
  window: EndpointCircuitOpenedData['window'];
  now: Date;
};
/** The circuit prober letting one held delivery through. */
export type HalfOpenEndpointCircuit = { type: 'HalfOpenEndpointCircuit'; endpoint_id: string; probe_delivery_id: string };
export type CloseEndpointCircuit = { type: 'CloseEndpointCircuit'; endpoint_id: string; reason: CircuitCloseReason };

export type EndpointCommand =
  | CreateEndpoint | UpdateEndpoint | RotateEndpointSecret | DisableEndpoint | EnableEndpoint | PauseEndpoint | ResumeEndpoint
  | DeleteEndpoint | OpenEndpointCircuit | HalfOpenEndpointCircuit | CloseEndpointCircuit;

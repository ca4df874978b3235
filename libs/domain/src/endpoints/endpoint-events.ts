import type { DomainEvent } from '../domain-event';
import type { EndpointCircuitEvent } from './endpoint-circuit-events';
import type { LegacyEndpointEvent } from './endpoint-legacy-events';
import type { EndpointAuthReference, EndpointSettings } from './endpoint-settings';

export const EndpointEventType = {
  EndpointCreated: 'EndpointCreated',
  EndpointUpdated: 'EndpointUpdated',
  EndpointSecretRotated: 'EndpointSecretRotated',
  EndpointDisabled: 'EndpointDisabled',
  EndpointEnabled: 'EndpointEnabled',
  EndpointPaused: 'EndpointPaused',
  EndpointResumed: 'EndpointResumed',
  EndpointDeleted: 'EndpointDeleted',
  EndpointCircuitOpened: 'EndpointCircuitOpened',
  EndpointCircuitHalfOpened: 'EndpointCircuitHalfOpened',
  EndpointCircuitClosed: 'EndpointCircuitClosed',
} as const;
export type EndpointEventType = (typeof EndpointEventType)[keyof typeof EndpointEventType];

/** Who disabled or enabled an endpoint; the actor itself (api-key id, system:scheduler) is in the metadata. */
export type EndpointActorKind = 'operator' | 'system';

/** Settings of chat providers: an EndpointCreated written before them has none and reads as a webhook. */
type ChatSetting = 'type' | 'provider' | 'template';

/**
 * Schema version 2 of the three events that touch key material: they name the sealed signing key
 * (`secret_key_id`) and auth credential (`auth.key_id`) kept in the key table, where version 1 said
 * nothing of them and the key material lived in the `endpoints` row (see endpoint-legacy-events.ts).
 */
export type EndpointCreatedData = Omit<EndpointSettings, ChatSetting> & Partial<Pick<EndpointSettings, ChatSetting>> & {
  id: string;
  tenant_id: string;
  auth: EndpointAuthReference | null;
  /** An ad-hoc destination: receives only the events published to it, never matched by subscriptions. */
  adhoc: boolean;
  secret_key_id: string;
};

/** The settings a PATCH gave (`active` only when it changed), and `auth` when it was given (null removes it). */
export type EndpointChanges = Partial<EndpointSettings> & { auth?: EndpointAuthReference | null };
export type EndpointUpdatedData = { id: string; changes: EndpointChanges };

export type EndpointSecretRotatedData = {
  id: string;
  secret_key_id: string;
  grace_period_s: number;
  /** When the keys that keep signing next to the new one stop; null when none do. */
  previous_expire_at: string | null;
  /** Keys that stop signing now: already expired, or cut short by a zero grace period. */
  retired_key_ids: readonly string[];
  signature_profile?: { from: EndpointSettings['signature_profile']; to: EndpointSettings['signature_profile'] };
};

export type EndpointDisabledData = { id: string; reason: string; by: EndpointActorKind };
export type EndpointEnabledData = { id: string; by: EndpointActorKind };
export type EndpointPausedData = { id: string };
export type EndpointResumedData = { id: string };
/** `reason` when the endpoint went with something else ("tenant deleted", "ad-hoc destination expired"). */
export type EndpointDeletedData = { id: string; reason?: string };

export type EndpointCreated = DomainEvent<'EndpointCreated', EndpointCreatedData, 2>;
export type EndpointUpdated = DomainEvent<'EndpointUpdated', EndpointUpdatedData, 2>;
export type EndpointSecretRotated = DomainEvent<'EndpointSecretRotated', EndpointSecretRotatedData, 2>;
export type EndpointDisabled = DomainEvent<'EndpointDisabled', EndpointDisabledData>;
export type EndpointEnabled = DomainEvent<'EndpointEnabled', EndpointEnabledData>;
export type EndpointPaused = DomainEvent<'EndpointPaused', EndpointPausedData>;
export type EndpointResumed = DomainEvent<'EndpointResumed', EndpointResumedData>;
export type EndpointDeleted = DomainEvent<'EndpointDeleted', EndpointDeletedData>;

/** The events decide appends today. */
export type CurrentEndpointEvent =
  | EndpointCreated | EndpointUpdated | EndpointSecretRotated | EndpointDisabled | EndpointEnabled | EndpointPaused | EndpointResumed
  | EndpointDeleted | EndpointCircuitEvent;

/** Every event an endpoint stream may hold, older shapes included: what evolve and the projectors read. */
export type EndpointEvent = CurrentEndpointEvent | LegacyEndpointEvent;

/** The stream an endpoint's events live in. */
export function endpointStreamId(endpointId: string): string {
  return `endpoint-${endpointId}`;
}

export const endpointCreated = (data: EndpointCreatedData): EndpointCreated => ({ type: EndpointEventType.EndpointCreated, schema_version: 2, data });
export const endpointUpdated = (data: EndpointUpdatedData): EndpointUpdated => ({ type: EndpointEventType.EndpointUpdated, schema_version: 2, data });
export const endpointSecretRotated = (data: EndpointSecretRotatedData): EndpointSecretRotated =>
  ({ type: EndpointEventType.EndpointSecretRotated, schema_version: 2, data });
export const endpointDisabled = (data: EndpointDisabledData): EndpointDisabled => ({ type: EndpointEventType.EndpointDisabled, schema_version: 1, data });
export const endpointEnabled = (data: EndpointEnabledData): EndpointEnabled => ({ type: EndpointEventType.EndpointEnabled, schema_version: 1, data });
export const endpointPaused = (data: EndpointPausedData): EndpointPaused => ({ type: EndpointEventType.EndpointPaused, schema_version: 1, data });
export const endpointResumed = (data: EndpointResumedData): EndpointResumed => ({ type: EndpointEventType.EndpointResumed, schema_version: 1, data });
export const endpointDeleted = (data: EndpointDeletedData): EndpointDeleted => ({ type: EndpointEventType.EndpointDeleted, schema_version: 1, data });

/** `streams.type` of an endpoint's stream. */
export const ENDPOINT_STREAM_TYPE = 'endpoint';

const KNOWN: ReadonlySet<string> = new Set(Object.values(EndpointEventType));

/**
 * Reads a stored event of an `endpoint-` stream into the union, schema_version as stored (evolve
 * upcasts version 1 with the state it applies to). Null for a type this code does not know (a
 * newer writer's), so readers skip it.
 */
export function readEndpointEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): EndpointEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  return { type: stored.type, schema_version: stored.schema_version ?? 1, data: stored.data } as EndpointEvent;
}

import type { DomainEvent } from '../domain-event';
import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';
import {
  EndpointChanges, EndpointCreated, EndpointCreatedData, EndpointEvent, endpointCreated, CurrentEndpointEvent, EndpointSecretRotated,
  endpointSecretRotated, EndpointUpdated, endpointUpdated,
} from './endpoint-events';
import { DEFAULT_ENDPOINT_SETTINGS, EndpointAuthReference, EndpointAuthView, EndpointSettings, pickSettings } from './endpoint-settings';
import type { EndpointState } from './endpoint-state';

/**
 * Schema version 1, as the API, the ad-hoc destinations and the scheduler appended them before
 * issue 12. The signing secrets and auth credential were sealed into the `endpoints` row and the
 * events named no key. Older still: EndpointCreated before the endpoint-options migration had no
 * filter, payload_format, signature_profile, auth or adhoc, and before tenants a null tenant_id.
 */
export type EndpointCreatedV1Data = Omit<EndpointSettings, 'filter' | 'payload_format' | 'signature_profile'> &
  Partial<Pick<EndpointSettings, 'filter' | 'payload_format' | 'signature_profile'>> & {
    id: string;
    tenant_id?: string | null;
    auth?: EndpointAuthView | null;
    adhoc?: boolean;
  };
/** `active` may be there unchanged: before PATCH dropped it, it was recorded whenever given. */
export type EndpointUpdatedV1Data = { id: string; changes: Partial<EndpointSettings> & { auth?: EndpointAuthView | null } };
export type EndpointSecretRotatedV1Data = {
  id: string;
  grace_period_s: number;
  previous_expire_at: string | null;
  /** How many keys stopped signing: the oldest ones, the tail of the newest-first list. */
  keys_retired: number;
  signature_profile?: { from: EndpointSettings['signature_profile']; to: EndpointSettings['signature_profile'] };
};

export type EndpointCreatedV1 = DomainEvent<'EndpointCreated', EndpointCreatedV1Data, 1>;
export type EndpointUpdatedV1 = DomainEvent<'EndpointUpdated', EndpointUpdatedV1Data, 1>;
export type EndpointSecretRotatedV1 = DomainEvent<'EndpointSecretRotated', EndpointSecretRotatedV1Data, 1>;
export type LegacyEndpointEvent = EndpointCreatedV1 | EndpointUpdatedV1 | EndpointSecretRotatedV1;

/**
 * The key id the upgrade migration gives the `ordinal`-th signing key of an endpoint written
 * before key ids existed (1 = issued at creation, n + 1 = by the n-th rotation). The row's
 * `secrets` list is newest first and loses keys only from its tail, so its i-th entry is key
 * `1 + rotations - i`: the migration and evolve agree without any id in the old events.
 */
export const legacySigningKeyId = (endpointId: string, ordinal: number): string => `${endpointId}.signing.${ordinal}`;
/** Only the latest credential of an old endpoint survives in its row, so one id per endpoint suffices. */
export const legacyAuthKeyId = (endpointId: string): string => `${endpointId}.auth`;

/** Reads a version 1 event as the current version, given the state it applies to; newer events pass through. */
export function upcastEndpointEvent(event: EndpointEvent, state: EndpointState): CurrentEndpointEvent {
  if (event.schema_version !== 1) return event;
  switch (event.type) {
    case 'EndpointCreated':
      return createdFromV1(event);
    case 'EndpointUpdated':
      return updatedFromV1(event);
    case 'EndpointSecretRotated':
      return rotatedFromV1(event, state);
    default:
      return event;
  }
}

function createdFromV1({ data }: EndpointCreatedV1): EndpointCreated {
  const created: EndpointCreatedData = {
    ...DEFAULT_ENDPOINT_SETTINGS,
    ...pickSettings(data),
    url: data.url,
    id: data.id,
    tenant_id: data.tenant_id ?? DEFAULT_TENANT, // written before tenants: the tenancy migration moved these rows to it
    auth: authFromView(data.id, data.auth ?? null),
    adhoc: data.adhoc ?? false,
    secret_key_id: legacySigningKeyId(data.id, 1),
  };
  return endpointCreated(created);
}

function updatedFromV1({ data }: EndpointUpdatedV1): EndpointUpdated {
  const changes: EndpointChanges = { ...pickSettings(data.changes) };
  if (data.changes.auth !== undefined) changes.auth = authFromView(data.id, data.changes.auth);
  return endpointUpdated({ id: data.id, changes });
}

function rotatedFromV1({ data }: EndpointSecretRotatedV1, state: EndpointState): EndpointSecretRotated {
  const kept = state.signing_keys.length - data.keys_retired;
  return endpointSecretRotated({
    id: data.id,
    secret_key_id: legacySigningKeyId(data.id, state.keys_issued + 1),
    grace_period_s: data.grace_period_s,
    previous_expire_at: data.previous_expire_at,
    retired_key_ids: state.signing_keys.slice(Math.max(kept, 0)).map((key) => key.key_id),
    ...(data.signature_profile && { signature_profile: data.signature_profile }),
  });
}

function authFromView(endpointId: string, auth: EndpointAuthView | null): EndpointAuthReference | null {
  if (auth === null) return null;
  const key_id = legacyAuthKeyId(endpointId);
  return auth.type === 'basic' ? { type: 'basic', username: auth.username, key_id } : { type: 'bearer', key_id };
}

import type { DomainEvent } from '../domain-event';

export const ApiKeyEventType = {
  ApiKeyCreated: 'ApiKeyCreated',
  ApiKeyRevoked: 'ApiKeyRevoked',
} as const;
export type ApiKeyEventType = (typeof ApiKeyEventType)[keyof typeof ApiKeyEventType];

/** Stream type of `api-key-<id>` in the store's `streams` table. */
export const API_KEY_STREAM_TYPE = 'api-key';

/**
 * What a key may do. `admin` everything (within its tenant when it has one); `publisher` publish
 * only; `reader` read only; `auditor` read and the audit trail; `portal` a short-lived token for a
 * customer portal: that tenant's endpoints and deliveries.
 */
export const API_KEY_ROLES = ['admin', 'publisher', 'reader', 'auditor', 'portal'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
/** Roles POST /v1/api-keys may give; portal tokens come only from POST /v1/tenants/:id/portal-token. */
export const CREATABLE_API_KEY_ROLES = ['admin', 'publisher', 'reader', 'auditor'] as const;

/**
 * As appended since keys exist (schema_version 1), unchanged: it never held the key nor its
 * digest, only the id the digest is stored under (sealed key material, its own table) and the
 * prefix every API answer shows (36 of the key's 256 random bits). Who created the key is the
 * event's metadata actor; when, its recorded_at.
 */
export type ApiKeyCreatedData = {
  id: string;
  name: string;
  role: ApiKeyRole;
  tenant_id: string | null;
  prefix: string;
  rate_limit_per_s: number | null;
  /** ISO-8601; null = never. Portal tokens always expire. */
  expires_at: string | null;
};

/** Set when the key was revoked by a sweep rather than by name: its tenant was deleted. */
export type ApiKeyRevocationReason = 'tenant deleted';
/** `reason` is absent (not null) on a revocation by name, as stored since schema_version 1. */
export type ApiKeyRevokedData = { id: string; reason?: ApiKeyRevocationReason };

export type ApiKeyCreated = DomainEvent<'ApiKeyCreated', ApiKeyCreatedData>;
export type ApiKeyRevoked = DomainEvent<'ApiKeyRevoked', ApiKeyRevokedData>;

export type ApiKeyEvent = ApiKeyCreated | ApiKeyRevoked;

export function apiKeyStreamId(keyId: string): string {
  return `api-key-${keyId}`;
}

export function apiKeyCreated(key: {
  readonly id: string;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly tenant_id: string | null;
  readonly prefix: string;
  readonly rate_limit_per_s: number | null;
  readonly expires_at: Date | null;
}): ApiKeyCreated {
  return {
    type: ApiKeyEventType.ApiKeyCreated,
    schema_version: 1,
    data: {
      id: key.id,
      name: key.name,
      role: key.role,
      tenant_id: key.tenant_id,
      prefix: key.prefix,
      rate_limit_per_s: key.rate_limit_per_s,
      expires_at: key.expires_at?.toISOString() ?? null,
    },
  };
}

export function apiKeyRevoked(keyId: string, reason?: ApiKeyRevocationReason): ApiKeyRevoked {
  return { type: ApiKeyEventType.ApiKeyRevoked, schema_version: 1, data: reason === undefined ? { id: keyId } : { id: keyId, reason } };
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(ApiKeyEventType));

/**
 * Reads a stored event of an `api-key-` stream into the union. Every stored shape is
 * schema_version 1; null for a type this code does not know (a newer writer's), so readers skip it.
 */
export function readApiKeyEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): ApiKeyEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  return { type: stored.type, schema_version: 1, data: stored.data } as ApiKeyEvent;
}

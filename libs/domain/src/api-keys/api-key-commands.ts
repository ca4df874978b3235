import type { ApiKeyRevocationReason, ApiKeyRole } from './api-key-events';

/**
 * POST /v1/api-keys. The key's value is made outside and never reaches the domain: the handler
 * stores its digest under `key_id` and passes only the prefix shown in API answers.
 */
export type CreateApiKey = Readonly<{
  type: 'CreateApiKey';
  key_id: string;
  name?: string;
  role: ApiKeyRole;
  /** The tenant asked for in the request (undefined or null: none named). */
  tenant_id?: string | null;
  rate_limit_per_s: number | null;
  expires_at: Date | null;
  prefix: string;
  /** The tenant the creating key is bound to; null for a key across tenants (and the bootstrap key). */
  creator_tenant_id: string | null;
  /** HOOKS_API_RATE_LIMIT_PER_S: the most a key bound to a tenant may give a key it creates. */
  operator_rate_limit_per_s: number;
  /** Whether the tenant the key would belong to (see tenantOfNewKey) exists and is not deleted. */
  tenant_live: boolean;
  now: Date;
}>;

/** POST /v1/tenants/:id/portal-token: a key with the role portal, bound to the tenant, that expires. */
export type IssuePortalToken = Readonly<{
  type: 'IssuePortalToken';
  key_id: string;
  tenant_id: string;
  tenant_live: boolean;
  prefix: string;
  /** 60 s to one day. */
  expires_in_s: number;
  now: Date;
}>;

/**
 * DELETE /v1/api-keys/:id (no reason), or the sweep of a deleted tenant's keys
 * (`reason: 'tenant deleted'`).
 */
export type RevokeApiKey = Readonly<{
  type: 'RevokeApiKey';
  key_id: string;
  reason?: ApiKeyRevocationReason;
  now: Date;
}>;

export type ApiKeyCommand = CreateApiKey | IssuePortalToken | RevokeApiKey;

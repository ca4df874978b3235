import { Decider, DomainRuleError } from '../domain-event';
import type { ApiKeyCommand, CreateApiKey, IssuePortalToken, RevokeApiKey } from './api-key-commands';
import { ApiKeyEvent, CREATABLE_API_KEY_ROLES, apiKeyCreated, apiKeyRevoked } from './api-key-events';
import { ApiKeyState, evolveApiKey, initialApiKeyState, isForgottenPortalToken } from './api-key-state';

export const PORTAL_TOKEN_NAME = 'portal token';
export const PORTAL_TOKEN_MIN_LIFETIME_S = 60;
export const PORTAL_TOKEN_MAX_LIFETIME_S = 86_400;

/** Word for word the 404 the tenant guard answers for another tenant's key, without a field (see tenantNotFound). */
export const apiKeyNotFound = (id: string) => new DomainRuleError('not_found', `API key ${id} does not exist.`);

const unknownTenant = (id: string) => new DomainRuleError('invalid', `Tenant ${id} does not exist; create it first with POST /v1/tenants.`, 'tenant_id');

/**
 * The tenant a new key belongs to: a key across tenants makes a key for the tenant it names, or
 * one across tenants; a key bound to a tenant makes keys for its own tenant only. The handler asks
 * this first, to know which tenant's stream says `tenant_live`.
 */
export function tenantOfNewKey(command: Pick<CreateApiKey, 'tenant_id' | 'creator_tenant_id'>): string | null {
  const requested = command.tenant_id ?? null;
  const own = command.creator_tenant_id;
  if (own === null || requested === null || requested === own) return requested ?? own;
  throw new DomainRuleError('forbidden', `This API key belongs to tenant ${own} and cannot act for tenant ${requested}.`, 'tenant_id');
}

function requireNew(state: ApiKeyState, id: string): void {
  if (state.status !== 'none') throw new DomainRuleError('conflict', `API key ${id} already exists.`, 'id');
}

function create(command: CreateApiKey, state: ApiKeyState): ApiKeyEvent[] {
  if (!(CREATABLE_API_KEY_ROLES as readonly string[]).includes(command.role)) {
    throw new DomainRuleError('invalid', `role must be one of ${CREATABLE_API_KEY_ROLES.join(', ')}`, 'role');
  }
  const tenantId = tenantOfNewKey(command);
  // The operator's limit is what a tenant may use: a tenant's key minting a faster key could take
  // the API's capacity from the other tenants.
  const limit = command.operator_rate_limit_per_s;
  if (command.creator_tenant_id !== null && command.rate_limit_per_s !== null && command.rate_limit_per_s > limit) {
    throw new DomainRuleError('forbidden', `rate_limit_per_s may be at most ${limit} (HOOKS_API_RATE_LIMIT_PER_S) for a key made by a key bound to a tenant; only a key across tenants may set more.`, 'rate_limit_per_s');
  }
  if (command.expires_at !== null && command.expires_at.getTime() <= command.now.getTime()) {
    throw new DomainRuleError('invalid', 'expires_at must be in the future.', 'expires_at');
  }
  if (tenantId !== null && !command.tenant_live) throw unknownTenant(tenantId);
  requireNew(state, command.key_id);
  const { key_id: id, role, prefix, rate_limit_per_s, expires_at } = command;
  return [apiKeyCreated({ id, name: command.name ?? '', role, tenant_id: tenantId, prefix, rate_limit_per_s, expires_at })];
}

function issuePortalToken(command: IssuePortalToken, state: ApiKeyState): ApiKeyEvent[] {
  const lifetime = command.expires_in_s;
  if (!Number.isInteger(lifetime) || lifetime < PORTAL_TOKEN_MIN_LIFETIME_S || lifetime > PORTAL_TOKEN_MAX_LIFETIME_S) {
    throw new DomainRuleError('invalid', `expires_in_s must be a whole number from ${PORTAL_TOKEN_MIN_LIFETIME_S} to ${PORTAL_TOKEN_MAX_LIFETIME_S} (one day)`, 'expires_in_s');
  }
  if (!command.tenant_live) throw unknownTenant(command.tenant_id);
  requireNew(state, command.key_id);
  return [
    apiKeyCreated({
      id: command.key_id, name: PORTAL_TOKEN_NAME, role: 'portal', tenant_id: command.tenant_id, prefix: command.prefix,
      rate_limit_per_s: null, expires_at: new Date(command.now.getTime() + lifetime * 1000),
    }),
  ];
}

/**
 * Revoking twice changes nothing (no second event). A tenant's sweep passes over what is already
 * gone; by name, a portal token forgotten a day after its expiry does not exist.
 */
function revoke(command: RevokeApiKey, state: ApiKeyState): ApiKeyEvent[] {
  const forgotten = isForgottenPortalToken(state, command.now);
  if (command.reason === 'tenant deleted' && (state.status !== 'active' || forgotten)) return [];
  if (state.status === 'none' || forgotten) throw apiKeyNotFound(command.key_id);
  if (state.status === 'revoked') return [];
  return [apiKeyRevoked(command.key_id, command.reason)];
}

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyState, ApiKeyEvent> = {
  initialState: initialApiKeyState,
  decide(command, state) {
    switch (command.type) {
      case 'CreateApiKey':
        return create(command, state);
      case 'IssuePortalToken':
        return issuePortalToken(command, state);
      case 'RevokeApiKey':
        return revoke(command, state);
    }
  },
  evolve: evolveApiKey,
};

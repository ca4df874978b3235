import { DomainRuleError, foldEvents } from '../domain-event';
import type { ApiKeyCommand, CreateApiKey } from './api-key-commands';
import { apiKeyDecider } from './api-key-decider';
import { ApiKeyEvent, apiKeyCreated, apiKeyRevoked, apiKeyStreamId } from './api-key-events';

const now = new Date('2024-01-01T00:00:00.000Z');
const OPERATOR_LIMIT = 50;

/** Given a key's past events, when a command is decided, then these events follow (or this refusal). */
function given(...history: ApiKeyEvent[]) {
  return {
    when: (command: ApiKeyCommand) => {
      const decide = () => apiKeyDecider.decide(command, foldEvents(apiKeyDecider, history));
      return {
        // Strict: an absent `reason` must stay absent, as in every stored ApiKeyRevoked by name.
        then: (expected: readonly ApiKeyEvent[]) => expect(decide()).toStrictEqual(expected),
        thenRefuses: (kind: DomainRuleError['kind'], message: string, field?: string) => {
          expect(decide).toThrow(DomainRuleError);
          expect(decide).toThrow(expect.objectContaining({ kind, message, field }));
        },
      };
    },
  };
}

function createKey(fields: Partial<CreateApiKey> = {}): CreateApiKey {
  return {
    type: 'CreateApiKey', key_id: 'key_1', name: 'billing', role: 'publisher', tenant_id: undefined, rate_limit_per_s: null, expires_at: null,
    prefix: 'hl_Zx81Qa', creator_tenant_id: null, operator_rate_limit_per_s: OPERATOR_LIMIT, tenant_live: true, now, ...fields,
  };
}

const created = (data: Partial<ApiKeyEvent['data']> = {}) => ({
  type: 'ApiKeyCreated', schema_version: 1,
  data: { id: 'key_1', name: 'billing', role: 'publisher', tenant_id: 'acme', prefix: 'hl_Zx81Qa', rate_limit_per_s: null, expires_at: null, ...data },
}) as ApiKeyEvent;

const portalToken = (expiresAt: string) =>
  apiKeyCreated({ id: 'key_p', name: 'portal token', role: 'portal', tenant_id: 'acme', prefix: 'hlp_Ab12Cd', rate_limit_per_s: null, expires_at: new Date(expiresAt) });

describe('creating an API key', () => {
  it('by a key across tenants: for the tenant it names, or across tenants when it names none', () => {
    given().when(createKey({ tenant_id: 'acme' })).then([created()]);
    given().when(createKey({ name: undefined })).then([created({ tenant_id: null, name: '' })]);
  });

  it('by a key bound to a tenant: for that tenant, named or not', () => {
    given().when(createKey({ creator_tenant_id: 'acme' })).then([created()]);
    given().when(createKey({ creator_tenant_id: 'acme', tenant_id: 'acme' })).then([created()]);
  });

  it('refuses a key bound to a tenant making a key for another tenant', () => {
    given()
      .when(createKey({ creator_tenant_id: 'acme', tenant_id: 'globex' }))
      .thenRefuses('forbidden', 'This API key belongs to tenant acme and cannot act for tenant globex.', 'tenant_id');
  });

  it("bounds rate_limit_per_s by the operator's limit for a key bound to a tenant; a key across tenants may set more", () => {
    given()
      .when(createKey({ creator_tenant_id: 'acme', rate_limit_per_s: OPERATOR_LIMIT + 1 }))
      .thenRefuses('forbidden', `rate_limit_per_s may be at most ${OPERATOR_LIMIT} (HOOKS_API_RATE_LIMIT_PER_S) for a key made by a key bound to a tenant; only a key across tenants may set more.`, 'rate_limit_per_s');
    given().when(createKey({ creator_tenant_id: 'acme', rate_limit_per_s: OPERATOR_LIMIT })).then([created({ rate_limit_per_s: OPERATOR_LIMIT })]);
    given().when(createKey({ tenant_id: 'acme', rate_limit_per_s: OPERATOR_LIMIT * 2 })).then([created({ rate_limit_per_s: OPERATOR_LIMIT * 2 })]);
  });

  it('records when it expires, which must be in the future', () => {
    given().when(createKey({ tenant_id: 'acme', expires_at: new Date('2024-02-01T12:00:00Z') })).then([created({ expires_at: '2024-02-01T12:00:00.000Z' })]);
    given().when(createKey({ expires_at: now })).thenRefuses('invalid', 'expires_at must be in the future.', 'expires_at');
  });

  it('refuses a tenant that does not exist (or no longer)', () => {
    given()
      .when(createKey({ tenant_id: 'nobody', tenant_live: false }))
      .thenRefuses('invalid', 'Tenant nobody does not exist; create it first with POST /v1/tenants.', 'tenant_id');
  });

  it('never makes a portal token: those come from the tenant, and expire', () => {
    given().when(createKey({ role: 'portal', tenant_id: 'acme' })).thenRefuses('invalid', 'role must be one of admin, publisher, reader, auditor', 'role');
  });

  it('refuses an id that is taken', () => {
    given(created()).when(createKey()).thenRefuses('conflict', 'API key key_1 already exists.', 'id');
  });
});

describe('issuing a portal token', () => {
  const issue = { type: 'IssuePortalToken', key_id: 'key_p', tenant_id: 'acme', tenant_live: true, prefix: 'hlp_Ab12Cd', expires_in_s: 3600, now } as const;

  it("is a key with the role portal, bound to the tenant, without a rate limit of its own, that expires", () => {
    given().when(issue).then([portalToken('2024-01-01T01:00:00.000Z')]);
  });

  it('lives from a minute to a day', () => {
    const refusal = ['invalid', 'expires_in_s must be a whole number from 60 to 86400 (one day)', 'expires_in_s'] as const;
    given().when({ ...issue, expires_in_s: 30 }).thenRefuses(...refusal);
    given().when({ ...issue, expires_in_s: 86_401 }).thenRefuses(...refusal);
  });

  it('refuses a tenant that does not exist', () => {
    given().when({ ...issue, tenant_live: false }).thenRefuses('invalid', 'Tenant acme does not exist; create it first with POST /v1/tenants.', 'tenant_id');
  });
});

describe('revoking an API key', () => {
  const revoke = { type: 'RevokeApiKey', key_id: 'key_1', now } as const;

  it('by name: the key is revoked, with no reason recorded', () => {
    given(created()).when(revoke).then([{ type: 'ApiKeyRevoked', schema_version: 1, data: { id: 'key_1' } }]);
  });

  it('twice changes nothing', () => {
    given(created(), apiKeyRevoked('key_1')).when(revoke).then([]);
  });

  it('answers a key that does not exist with the same 404 as the tenant guard', () => {
    given().when(revoke).thenRefuses('not_found', 'API key key_1 does not exist.', undefined);
  });

  it("by its tenant's deletion: revoked with the reason, unless already revoked", () => {
    given(created()).when({ ...revoke, reason: 'tenant deleted' }).then([{ type: 'ApiKeyRevoked', schema_version: 1, data: { id: 'key_1', reason: 'tenant deleted' } }]);
    given(created(), apiKeyRevoked('key_1')).when({ ...revoke, reason: 'tenant deleted' }).then([]);
  });

  it('an expired portal token is revoked for a day; after that it is forgotten: 404 by name, passed over by the sweep', () => {
    const token = portalToken('2023-12-31T00:00:00.000Z');
    given(token).when({ ...revoke, key_id: 'key_p' }).then([apiKeyRevoked('key_p')]);
    const later = new Date('2024-01-01T00:00:01.000Z');
    given(token).when({ ...revoke, key_id: 'key_p', now: later }).thenRefuses('not_found', 'API key key_p does not exist.', undefined);
    given(token).when({ ...revoke, key_id: 'key_p', now: later, reason: 'tenant deleted' }).then([]);
  });

  it('lives in api-key-<id>', () => {
    expect(apiKeyStreamId('key_1')).toBe('api-key-key_1');
  });
});

describe('API key evolve', () => {
  it('reads the events stored since schema_version 1 exactly as the API wrote them', () => {
    const stored = [
      { type: 'ApiKeyCreated', schema_version: 1, data: { id: 'key_p', name: 'portal token', role: 'portal', tenant_id: 'acme', prefix: 'hlp_Ab12Cd', rate_limit_per_s: null, expires_at: '2024-01-01T01:00:00.000Z' } },
      { type: 'ApiKeyRevoked', schema_version: 1, data: { id: 'key_p', reason: 'tenant deleted' } },
    ] as const;
    expect(foldEvents(apiKeyDecider, stored.slice(0, 1))).toEqual({ status: 'active', ...stored[0].data });
    expect(foldEvents(apiKeyDecider, stored)).toEqual({ status: 'revoked', ...stored[0].data });
  });

  it('ignores event types it does not know', () => {
    const state = foldEvents(apiKeyDecider, [created()]);
    expect(apiKeyDecider.evolve(state, { type: 'ApiKeyRenamed', data: {} } as unknown as ApiKeyEvent)).toBe(state);
  });
});

import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { newId } from '@hookledger/domain';
import { EventStore } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { ApiKeyQuery, ApiKeyResource, CreateApiKeyDto, CreatedApiKeyResource } from './api-key.dto';
import { ApiKeyRow, ApiKeysRepository, generateKey, NewApiKeyRow } from './api-keys.repository';
import { actorOf, changeMetadata, Principal } from './principal';
import { notFound } from '../http/not-found';
import { TenantScope } from './tenant-scope';

export const apiKeyStream = (id: string) => `api-key-${id}`;

/** API keys and portal tokens: created shown once, stored as digests, revoked for good; every change in the ledger. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly tenants: TenantsRepository,
    private readonly store: EventStore,
    private readonly scope: TenantScope,
    private readonly config: HookledgerConfig,
  ) {}

  async create(input: CreateApiKeyDto, principal: Principal): Promise<CreatedApiKeyResource> {
    // A key bound to a tenant makes keys for its tenant only; a key across tenants makes either kind.
    const tenantId = principal.tenantId === null ? (input.tenant_id ?? null) : this.scope.tenantForNew(principal, input.tenant_id);
    this.checkRateLimit(input.rate_limit_per_s, principal);
    const expiresAt = input.expires_at === undefined ? null : new Date(input.expires_at);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'expires_at must be in the future.', { errors: [{ field: 'expires_at', message: 'expires_at must be in the future' }] });
    }
    const value = generateKey('api-key');
    const row = await this.tenants.transaction((tx) =>
      this.insert(tx, { id: newId('key'), name: input.name ?? '', role: input.role, tenant_id: tenantId, rate_limit_per_s: input.rate_limit_per_s ?? null,
        created_by: actorOf(principal), expires_at: expiresAt }, value, principal),
    );
    return { ...toApiKeyResource(row), key: value };
  }

  /** A portal token: a key with the role portal, bound to the tenant, that expires; pruned a day after. */
  async issuePortalToken(tenantId: string, expiresInS: number, principal: Principal): Promise<{ id: string; token: string; expires_at: Date }> {
    const value = generateKey('portal');
    const expiresAt = new Date(Date.now() + expiresInS * 1000);
    const row = await this.tenants.transaction(async (tx) => {
      await this.keys.pruneExpiredPortalTokens(tx);
      return this.insert(tx, { id: newId('key'), name: 'portal token', role: 'portal', tenant_id: tenantId, rate_limit_per_s: null,
        created_by: actorOf(principal), expires_at: expiresAt }, value, principal);
    });
    return { id: row.id, token: value, expires_at: expiresAt };
  }

  async list(query: ApiKeyQuery, principal: Principal): Promise<Page<ApiKeyResource>> {
    const limit = query.limit ?? 50;
    const tenantId = this.scope.listTenant(principal, query.tenant_id);
    const rows = await this.keys.list({ before: decodeCursor(query.cursor), tenantId, revoked: query.revoked }, limit + 1);
    return toPage(rows, limit, (row) => row.id, toApiKeyResource);
  }

  async get(id: string): Promise<ApiKeyResource> {
    const row = await this.keys.find(id);
    if (!row) throw notFound('api-key', id);
    return toApiKeyResource(row);
  }

  /** Revoked keys stop working at once; revoking twice changes nothing. */
  async revoke(id: string, principal: Principal): Promise<void> {
    await this.tenants.transaction(async (tx) => {
      const current = await this.keys.lock(tx, id);
      if (!current) throw notFound('api-key', id);
      if (current.revoked_at) return;
      await this.keys.revoke(tx, id);
      await this.store.append(tx, [{ streamId: apiKeyStream(id), streamType: 'api-key', expectedVersion: null,
        events: [{ type: 'ApiKeyRevoked', data: { id }, metadata: changeMetadata(principal, current.tenant_id) }] }]);
    });
  }

  /** Revokes a deleted tenant's keys, each with its event. */
  async revokeTenantKeys(tx: EntityManager, tenantId: string, principal: Principal): Promise<void> {
    const ids = await this.keys.revokeTenant(tx, tenantId);
    if (ids.length === 0) return;
    await this.store.append(tx, ids.map((id) => ({ streamId: apiKeyStream(id), streamType: 'api-key', expectedVersion: null,
      events: [{ type: 'ApiKeyRevoked', data: { id, reason: 'tenant deleted' }, metadata: changeMetadata(principal, tenantId) }] })));
  }

  /**
   * The operator's HOOKS_API_RATE_LIMIT_PER_S is what a tenant may use: a key bound to a tenant
   * cannot mint a key allowed more, or one tenant could take the API's capacity from the others.
   */
  private checkRateLimit(requested: number | undefined, principal: Principal): void {
    const limit = this.config.api.rateLimitPerS;
    if (principal.tenantId === null || requested === undefined || requested <= limit) return;
    throw new ProblemException(HttpStatus.FORBIDDEN, `rate_limit_per_s may be at most ${limit} (HOOKS_API_RATE_LIMIT_PER_S) for a key made by a key bound to a tenant; only a key across tenants may set more.`, {
      errors: [{ field: 'rate_limit_per_s', message: `must be at most ${limit}` }],
    });
  }

  private async insert(tx: EntityManager, row: NewApiKeyRow, value: string, principal: Principal): Promise<ApiKeyRow> {
    if (row.tenant_id !== null && !(await this.tenants.lock(tx, row.tenant_id))) throw unknownTenant(row.tenant_id);
    const inserted = await this.keys.insert(tx, row, value);
    const { id, name, role, tenant_id, prefix, rate_limit_per_s, expires_at } = inserted;
    await this.store.append(tx, [{ streamId: apiKeyStream(id), streamType: 'api-key', expectedVersion: 0,
      events: [{ type: 'ApiKeyCreated', data: { id, name, role, tenant_id, prefix, rate_limit_per_s, expires_at }, metadata: changeMetadata(principal, tenant_id) }] }]);
    return inserted;
  }
}

export const unknownTenant = (id: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Tenant ${id} does not exist; create it first with POST /v1/tenants.`, {
    errors: [{ field: 'tenant_id', message: `tenant ${id} does not exist` }],
  });

export function toApiKeyResource(row: ApiKeyRow): ApiKeyResource {
  return {
    id: row.id, name: row.name, role: row.role, tenant_id: row.tenant_id, prefix: row.prefix, rate_limit_per_s: row.rate_limit_per_s,
    created_by: row.created_by, created_at: row.created_at.toISOString(), expires_at: row.expires_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

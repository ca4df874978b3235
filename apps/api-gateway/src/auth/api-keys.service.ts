import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { notFound } from '../http/not-found';
import type { ApiKeyQuery, ApiKeyResource } from './api-key.dto';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import type { Principal } from './principal';
import { TenantScope } from './tenant-scope';

/** Reads of API keys and portal tokens (never their value); their changes are commands (./commands). */
@Injectable()
export class ApiKeysService {
  constructor(private readonly keys: ApiKeysRepository, private readonly scope: TenantScope) {}

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
}

export function toApiKeyResource(row: ApiKeyRow): ApiKeyResource {
  return {
    id: row.id, name: row.name, role: row.role, tenant_id: row.tenant_id, prefix: row.prefix, rate_limit_per_s: row.rate_limit_per_s,
    created_by: row.created_by, created_at: row.created_at.toISOString(), expires_at: row.expires_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

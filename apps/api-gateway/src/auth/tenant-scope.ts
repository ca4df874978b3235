import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_TENANT } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { notFound } from '../http/not-found';
import type { OwnedResource } from './access';
import { REMEMBERED_KEY } from './api-keys.repository';
import type { Principal } from './principal';


const OWNER_QUERIES: Record<OwnedResource, string> = {
  endpoint: `SELECT tenant_id FROM endpoints WHERE id = $1 AND deleted_at IS NULL`,
  delivery: `SELECT tenant_id FROM deliveries WHERE id = $1`,
  // An event id is unique per tenant only: several rows may answer, one per tenant that used it.
  event: `SELECT tenant_id FROM messages WHERE id = $1`,
  replay: `SELECT tenant_id FROM replays WHERE id = $1`,
  tenant: `SELECT id AS tenant_id FROM tenants WHERE id = $1 AND deleted_at IS NULL`,
  'api-key': `SELECT tenant_id FROM api_keys WHERE id = $1 AND ${REMEMBERED_KEY}`,
  // A stream is a tenant's when its events say so (changes to its endpoints, keys and itself).
  stream: `SELECT metadata->>'tenant_id' AS tenant_id FROM events WHERE stream_id = $1 AND metadata ? 'tenant_id' LIMIT 1`,
  source: `SELECT tenant_id FROM sources WHERE id = $1 AND deleted_at IS NULL`,
};


/**
 * Keeps each key inside its tenant. A key bound to a tenant sees another tenant's resources as
 * not existing (404), and is refused (403) when it names another tenant outright; a key that
 * works across tenants sees everything and names the tenant it acts for.
 */
@Injectable()
export class TenantScope {
  constructor(private readonly db: DataSource) {}

  /**
   * For a key bound to a tenant, throws the resource's 404 unless it exists and is that tenant's.
   * Keys across tenants see everything (and get the resource's own 404 from its route).
   */
  async requireVisible(principal: Principal, resource: OwnedResource, id: string | undefined): Promise<void> {
    if (principal.tenantId === null || id === undefined) return;
    const rows: { tenant_id: string | null }[] = await this.db.query(OWNER_QUERIES[resource], [id]);
    if (!rows.some((row) => row.tenant_id === principal.tenantId)) throw notFound(resource, id);
  }

  /** The tenant a list is limited to: the key's own, or the one asked for (undefined = all, for keys across tenants). */
  listTenant(principal: Principal, requested: string | undefined): string | undefined {
    if (principal.tenantId === null) return requested;
    if (requested !== undefined && requested !== principal.tenantId) throw otherTenant(principal, requested);
    return principal.tenantId;
  }

  /** The tenant something new belongs to: the one named, else the key's, else the default tenant. */
  tenantForNew(principal: Principal, requested: string | null | undefined): string {
    if (principal.tenantId === null) return requested ?? DEFAULT_TENANT;
    if (requested !== undefined && requested !== null && requested !== principal.tenantId) throw otherTenant(principal, requested);
    return principal.tenantId;
  }
}

const otherTenant = (principal: Principal, requested: string) =>
  new ProblemException(HttpStatus.FORBIDDEN, `This API key belongs to tenant ${principal.tenantId} and cannot act for tenant ${requested}.`, {
    errors: [{ field: 'tenant_id', message: `must be ${principal.tenantId} (or left out) for this key` }],
  });

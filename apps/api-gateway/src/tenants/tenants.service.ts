import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException } from '@hookledger/observability';
import { notFound } from '../http/not-found';
import { decodeCursor, Page, toPage } from '../http/pagination';
import type { TenantResource } from './tenant.dto';
import { EventUsageCounter } from './event-usage-counter';
import { monthOf, TenantRow, TenantsRepository, TenantUsageRow } from './tenants.repository';

/** Reads of tenants with what they use, and the admission of endpoints and events against their quotas; changes are commands (./commands). */
@Injectable()
export class TenantsService {
  constructor(private readonly tenants: TenantsRepository, private readonly db: DataSource, private readonly usage: EventUsageCounter) {}

  async get(id: string): Promise<TenantResource> {
    const row = await this.tenants.find(id);
    if (!row) throw notFound('tenant', id);
    return this.resource(row, this.db);
  }

  async list(cursor: string | undefined, limit: number): Promise<Page<TenantResource>> {
    const month = monthOf(new Date());
    const rows = await this.tenants.list(decodeCursor(cursor), limit + 1, month);
    return toPage(rows, limit, (row) => row.id, (row) => this.toResource(row, row, month));
  }

  /**
   * Locks the tenant an endpoint (or an ad-hoc destination) is being created for and checks its
   * endpoint quota: 422 for a tenant that does not exist, 403 when it has as many endpoints as it may.
   */
  async admitEndpoint(tx: EntityManager, tenantId: string): Promise<void> {
    const tenant = await this.tenants.lock(tx, tenantId);
    if (!tenant) throw unknownTenant(tenantId);
    if (tenant.max_endpoints === null) return;
    const usage = await this.tenants.usage(tx, tenantId, monthOf(new Date()));
    if (usage.endpoints >= tenant.max_endpoints) {
      throw new ProblemException(HttpStatus.FORBIDDEN, `Tenant ${tenantId} has ${usage.endpoints} endpoints (ad-hoc destinations included), its quota (max_endpoints ${tenant.max_endpoints}); delete one, wait for ad-hoc destinations to expire, or raise the quota with PATCH /v1/tenants/${tenantId}.`, {
        quota: 'max_endpoints', limit: tenant.max_endpoints, used: usage.endpoints,
      });
    }
  }

  /**
   * Counts events against each tenant's monthly quota before they are published: 422 for a tenant
   * that does not exist, 429 with Retry-After (the start of next month) when the quota would be
   * passed. Nothing is counted unless every tenant admits its events. Answers what gives the
   * counts back, for when the bus does not take the events.
   */
  async admitEvents(counts: ReadonlyMap<string, number>, quotas?: ReadonlyMap<string, EventQuota>): Promise<(some?: ReadonlyMap<string, number>) => Promise<void>> {
    const month = monthOf(new Date());
    const reserved: [string, number][] = [];
    const buffered: [string, number][] = [];
    /** Gives back what was counted: all of it, or (`some`) that many per tenant. */
    const release = async (some: ReadonlyMap<string, number> = counts) => {
      const part = (counted: [string, number][]) =>
        counted.map(([tenantId, count]) => ({ tenantId, count: Math.min(count, some.get(tenantId) ?? 0) })).filter(({ count }) => count > 0);
      for (const { tenantId, count } of part(buffered)) this.usage.add(tenantId, month, -count);
      const returned = part(reserved);
      if (returned.length > 0) await this.tenants.addEvents(returned.map(({ tenantId, count }) => ({ tenantId, month, events: -count })));
    };
    for (const [tenantId, count] of counts) {
      // Read with the rest of the publish's lookups (events/publish-lookup.ts) when given: a tenant not in them does not exist.
      const tenant = quotas ? (quotas.get(tenantId) ?? null) : await this.tenants.eventQuota(tenantId);
      if (!tenant) {
        await release();
        throw unknownTenant(tenantId);
      }
      if (tenant.max_events_per_month === null) {
        this.usage.add(tenantId, month, count);
        buffered.push([tenantId, count]);
        continue;
      }
      if ((await this.tenants.reserveEvents(tenantId, month, count)) !== null) {
        reserved.push([tenantId, count]);
        continue;
      }
      await release();
      const used = (await this.tenants.usage(this.db, tenantId, month)).events_this_month;
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS,
        `Tenant ${tenantId} has used ${used} of its ${tenant.max_events_per_month} events for ${month.slice(0, 7)} (max_events_per_month); ${count} more would pass it. The quota resets at the start of next month (UTC) or can be raised with PATCH /v1/tenants/${tenantId}.`,
        { quota: 'max_events_per_month', limit: Number(tenant.max_events_per_month), used: Number(used), retry_after: secondsToNextMonth() });
    }
    return release;
  }

  private async resource(row: TenantRow, on: EntityManager | DataSource): Promise<TenantResource> {
    const month = monthOf(new Date());
    return this.toResource(row, await this.tenants.usage(on, row.id, month), month);
  }

  private toResource(row: TenantRow, usage: TenantUsageRow, month: string): TenantResource {
    return {
      id: row.id,
      name: row.name,
      metadata: row.metadata,
      quotas: { max_endpoints: row.max_endpoints, max_events_per_month: row.max_events_per_month === null ? null : Number(row.max_events_per_month) },
      usage: { endpoints: usage.endpoints, month: month.slice(0, 7), events_this_month: Number(usage.events_this_month) + this.usage.unwritten(row.id, month) },
      payload_retention_days: row.payload_retention_days,
      branding: brandingOf(row),
      erased_at: row.erased_at?.toISOString() ?? null,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  }
}

export function brandingOf(row: Pick<TenantRow, 'branding'>): TenantResource['branding'] {
  return { name: row.branding.name ?? null, logo_url: row.branding.logo_url ?? null, accent_color: row.branding.accent_color ?? null };
}

export const unknownTenant = (id: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Tenant ${id} does not exist; create it first with POST /v1/tenants.`, {
    errors: [{ field: 'tenant_id', message: `tenant ${id} does not exist` }],
  });

export function secondsToNextMonth(now = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** A live tenant's monthly event quota (null: none). */
export interface EventQuota {
  readonly max_events_per_month: string | null;
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_TENANT, endpointStreamId, newId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { ApiKeysService, unknownTenant } from '../auth/api-keys.service';
import { changeMetadata, Principal } from '../auth/principal';
import { notFound } from '../http/not-found';
import { decodeCursor, Page, toPage } from '../http/pagination';
import type { CreateTenantDto, PortalTokenResource, TenantResource, UpdateTenantDto } from './tenant.dto';
import { EventUsageCounter } from './event-usage-counter';
import { monthOf, TenantRow, TenantsRepository, TenantUsageRow } from './tenants.repository';

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly aggregates: AggregateRepository,
    private readonly keys: ApiKeysService,
    private readonly db: DataSource,
    private readonly usage: EventUsageCounter,
  ) {}

  async create(input: CreateTenantDto, principal: Principal): Promise<TenantResource> {
    const id = input.id ?? newId('ten');
    const fields = {
      name: input.name,
      metadata: input.metadata ?? {},
      max_endpoints: input.quotas?.max_endpoints ?? null,
      max_events_per_month: input.quotas?.max_events_per_month?.toString() ?? null,
    };
    const row = await this.tenants.transaction((tx) =>
      this.tenants.insert(tx, { id, ...fields }, { type: 'TenantCreated', data: { id, ...fields }, metadata: changeMetadata(principal, id) }),
    );
    if (!row) throw new ProblemException(HttpStatus.CONFLICT, `Tenant ${id} already exists (or existed: tenant ids are never reused).`, { errors: [{ field: 'id', message: 'id is taken' }] });
    return this.resource(row, this.db);
  }

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

  async update(id: string, input: UpdateTenantDto, principal: Principal): Promise<TenantResource> {
    return this.tenants.transaction(async (tx) => {
      const current = await this.tenants.lock(tx, id);
      if (!current) throw notFound('tenant', id);
      const changes: Record<string, unknown> = {};
      if (input.name !== undefined) changes.name = input.name;
      if (input.metadata !== undefined) changes.metadata = input.metadata;
      if (input.quotas?.max_endpoints !== undefined) changes.max_endpoints = input.quotas.max_endpoints;
      if (input.quotas?.max_events_per_month !== undefined) changes.max_events_per_month = input.quotas.max_events_per_month?.toString() ?? null;
      const row = await this.tenants.update(tx, { ...current, ...changes }, { type: 'TenantUpdated', data: { id, changes }, metadata: changeMetadata(principal, id) });
      return this.resource(row, tx);
    });
  }

  /**
   * Deletes the tenant, its endpoints (nothing more is delivered for it) and its keys (they stop
   * working at once), each change in the ledger. What was delivered stays queryable for audit.
   */
  async remove(id: string, principal: Principal): Promise<void> {
    if (id === DEFAULT_TENANT) throw new ProblemException(HttpStatus.CONFLICT, `The ${DEFAULT_TENANT} tenant receives everything published without a tenant and cannot be deleted.`);
    await this.tenants.transaction(async (tx) => {
      const current = await this.tenants.lock(tx, id);
      if (!current) throw notFound('tenant', id);
      const endpoints: { id: string }[] = await tx.query(`SELECT id FROM endpoints WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id`, [id]);
      for (const { id: endpointId } of endpoints) {
        await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(endpointId),
          { type: 'DeleteEndpoint', endpoint_id: endpointId, reason: 'tenant deleted' }, changeMetadata(principal, id));
      }
      await this.keys.revokeTenantKeys(tx, id, principal);
      await this.tenants.update(tx, { ...current, deleted_at: new Date() }, { type: 'TenantDeleted', data: { id }, metadata: changeMetadata(principal, id) });
    });
  }

  async issuePortalToken(id: string, expiresInS: number, principal: Principal): Promise<PortalTokenResource> {
    const token = await this.keys.issuePortalToken(id, expiresInS, principal);
    return { token: token.token, id: token.id, tenant_id: id, expires_at: token.expires_at.toISOString() };
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
  async admitEvents(counts: ReadonlyMap<string, number>): Promise<(some?: ReadonlyMap<string, number>) => Promise<void>> {
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
      const tenant = await this.tenants.eventQuota(tenantId);
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
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  }
}

export function secondsToNextMonth(now = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

import type { TenantQuotas } from './tenant-events';

/** POST /v1/tenants: the id is the caller's or generated outside (`ten_…`). */
export type CreateTenant = Readonly<{
  type: 'CreateTenant';
  tenant_id: string;
  name: string;
  metadata: Readonly<Record<string, string>>;
  quotas: TenantQuotas;
}>;

/** PATCH /v1/tenants/:id: only what is named changes; a quota set to null is lifted. */
export type UpdateTenant = Readonly<{
  type: 'UpdateTenant';
  tenant_id: string;
  name?: string;
  metadata?: Readonly<Record<string, string>>;
  quotas?: Partial<TenantQuotas>;
}>;

/**
 * DELETE /v1/tenants/:id. Its endpoints are deleted and its keys revoked by their own aggregates,
 * in the same transaction (the handler's work: each on its own stream).
 */
export type DeleteTenant = Readonly<{ type: 'DeleteTenant'; tenant_id: string }>;

export type TenantCommand = CreateTenant | UpdateTenant | DeleteTenant;

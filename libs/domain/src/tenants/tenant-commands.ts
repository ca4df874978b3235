import type { TenantBranding, TenantQuotas } from './tenant-events';

/** POST /v1/tenants: the id is the caller's or generated outside (`ten_…`). */
export type CreateTenant = Readonly<{
  type: 'CreateTenant';
  tenant_id: string;
  name: string;
  metadata: Readonly<Record<string, string>>;
  quotas: TenantQuotas;
  /** Null or left out: keep payloads. */
  payload_retention_days?: number | null;
  branding?: TenantBranding;
}>;

/** PATCH /v1/tenants/:id: only what is named changes; a quota set to null is lifted. */
export type UpdateTenant = Readonly<{
  type: 'UpdateTenant';
  tenant_id: string;
  name?: string;
  metadata?: Readonly<Record<string, string>>;
  quotas?: Partial<TenantQuotas>;
  /** Null: keep payloads from now on (what retention already destroyed stays destroyed). */
  payload_retention_days?: number | null;
  /** Only the fields named change; null clears one. */
  branding?: TenantBranding;
}>;

/**
 * DELETE /v1/tenants/:id. Its endpoints are deleted and its keys revoked by their own aggregates,
 * in the same transaction (the handler's work: each on its own stream).
 */
export type DeleteTenant = Readonly<{ type: 'DeleteTenant'; tenant_id: string }>;

/**
 * POST /v1/tenants/:id/erase: the tenant's data keys were destroyed in the transaction this is
 * decided in (destroying is I/O, so the handler does it and the command says what it destroyed);
 * a refusal rolls the destruction back with it.
 */
export type EraseTenant = Readonly<{ type: 'EraseTenant'; tenant_id: string; reason: string | null; destroyed: Readonly<{ count: number; key_ids: readonly string[] }> }>;
/** The retention task destroyed the keys of the tenant's days that started before `before`, in this transaction. */
export type PurgeTenantPayloads = Readonly<{
  type: 'PurgeTenantPayloads';
  tenant_id: string;
  before: Date;
  destroyed: Readonly<{ count: number; key_ids: readonly string[] }>;
}>;
export type TenantCommand = CreateTenant | UpdateTenant | DeleteTenant | EraseTenant | PurgeTenantPayloads;

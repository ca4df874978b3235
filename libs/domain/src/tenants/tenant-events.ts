import type { DomainEvent } from '../domain-event';

export const TenantEventType = {
  TenantCreated: 'TenantCreated',
  TenantUpdated: 'TenantUpdated',
  TenantDeleted: 'TenantDeleted',
  TenantRecorded: 'TenantRecorded',
  TenantErased: 'TenantErased',
  TenantPayloadsPurged: 'TenantPayloadsPurged',
} as const;
export type TenantEventType = (typeof TenantEventType)[keyof typeof TenantEventType];

/** Stream type of `tenant-<id>` in the store's `streams` table. */
export const TENANT_STREAM_TYPE = 'tenant';

/**
 * The shapes below are the ones the API has appended since tenants exist (schema_version 1), kept
 * as they are: `max_events_per_month` is a bigint column and was written as its decimal string.
 * What a tenant uses (endpoints, events this month) is not here: see TenantState.
 */
export type TenantCreatedData = {
  id: string;
  name: string;
  metadata: Record<string, string>;
  max_endpoints: number | null;
  /** Decimal string, as written since schema_version 1. */
  max_events_per_month: string | null;
  /**
   * Days a payload (and response body) stays readable after the retention day it was sealed in
   * ended; null or absent (events written before retention existed) = keep.
   */
  payload_retention_days?: number | null;
  /** How the customer portal presents the tenant; absent (events written before branding existed) = unbranded. */
  branding?: TenantBranding;
};

/**
 * The customer portal's look for the tenant. In TenantCreated only the fields set; in a PATCH
 * (TenantUpdated) only the fields named, null clearing one.
 */
export type TenantBranding = {
  name?: string | null;
  logo_url?: string | null;
  /** `#rrggbb` */
  accent_color?: string | null;
};

/** Only the fields a PATCH named; a quota set to null means "no limit". */
export type TenantChanges = Partial<Pick<TenantCreatedData, 'name' | 'metadata' | 'max_endpoints' | 'max_events_per_month' | 'payload_retention_days' | 'branding'>>;
export type TenantUpdatedData = { id: string; changes: TenantChanges };
export type TenantDeletedData = { id: string };
/**
 * A tenant as it stood when the ledger took it over: the `default` tenant was inserted by a
 * migration (1732400000012) with no event, and its stream may already hold TenantUpdated events
 * (PATCHes of it) with no TenantCreated before them. Appended by the upgrade migration at the end
 * of the stream, it says everything, so folding the stream gives the tenant whatever came before.
 */
export type TenantRecordedData = TenantCreatedData & { /** ISO-8601: when the tenant row was made. */ created_at: string };

/** Which data keys were destroyed (tenant_data_keys ids, sorted): the record of what no longer opens. */
export type DestroyedDataKeys = { keys_destroyed: number; key_ids: string[] };
/**
 * Every payload and response body of the tenant sealed until now was crypto-shredded: its data
 * keys destroyed in the same transaction. The sealed bytes stay in the ledger (which still
 * verifies) and no longer open anywhere. The tenant itself stays as it was.
 */
export type TenantErasedData = DestroyedDataKeys & { id: string; reason: string | null };
/**
 * Retention: the data keys of the tenant's retention days that started before `before` (ISO-8601)
 * were destroyed, per its `payload_retention_days` at the time.
 */
export type TenantPayloadsPurgedData = DestroyedDataKeys & { id: string; before: string; payload_retention_days: number };

export type TenantCreated = DomainEvent<'TenantCreated', TenantCreatedData>;
export type TenantUpdated = DomainEvent<'TenantUpdated', TenantUpdatedData>;
export type TenantDeleted = DomainEvent<'TenantDeleted', TenantDeletedData>;
export type TenantRecorded = DomainEvent<'TenantRecorded', TenantRecordedData>;
export type TenantErased = DomainEvent<'TenantErased', TenantErasedData>;
export type TenantPayloadsPurged = DomainEvent<'TenantPayloadsPurged', TenantPayloadsPurgedData>;

export type TenantEvent = TenantCreated | TenantUpdated | TenantDeleted | TenantRecorded | TenantErased | TenantPayloadsPurged;

/** A tenant's quotas as the domain reads them; null = no limit. */
export interface TenantQuotas {
  readonly max_endpoints: number | null;
  readonly max_events_per_month: number | null;
}

export function tenantStreamId(tenantId: string): string {
  return `tenant-${tenantId}`;
}

const eventQuota = (value: number | null): string | null => (value === null ? null : value.toString());

export function tenantCreated(tenant: {
  readonly id: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly quotas: TenantQuotas;
  /** Left out (as before retention existed) or null: keep. */
  readonly payload_retention_days?: number | null;
  readonly branding?: Readonly<TenantBranding>;
}): TenantCreated {
  const branding = brandingNamed(tenant.branding, false);
  return {
    type: TenantEventType.TenantCreated,
    schema_version: 1,
    data: {
      id: tenant.id,
      name: tenant.name,
      metadata: { ...tenant.metadata },
      max_endpoints: tenant.quotas.max_endpoints,
      max_events_per_month: eventQuota(tenant.quotas.max_events_per_month),
      // Written only when set, so a tenant made without it records what it always did.
      ...(tenant.payload_retention_days != null ? { payload_retention_days: tenant.payload_retention_days } : {}),
      ...(branding ? { branding } : {}),
    },
  };
}

export function tenantUpdated(
  id: string,
  changes: {
    readonly name?: string;
    readonly metadata?: Readonly<Record<string, string>>;
    readonly quotas?: Partial<TenantQuotas>;
    readonly payload_retention_days?: number | null;
    readonly branding?: Readonly<TenantBranding>;
  },
): TenantUpdated {
  const data: TenantChanges = {};
  if (changes.name !== undefined) data.name = changes.name;
  if (changes.metadata !== undefined) data.metadata = { ...changes.metadata };
  if (changes.quotas?.max_endpoints !== undefined) data.max_endpoints = changes.quotas.max_endpoints;
  if (changes.quotas?.max_events_per_month !== undefined) data.max_events_per_month = eventQuota(changes.quotas.max_events_per_month);
  if (changes.payload_retention_days !== undefined) data.payload_retention_days = changes.payload_retention_days;
  const branding = brandingNamed(changes.branding, true);
  if (branding) data.branding = branding;
  return { type: TenantEventType.TenantUpdated, schema_version: 1, data: { id, changes: data } };
}

/** The branding fields given (with nulls only when `keepNulls`: a PATCH clearing them); null when none. */
function brandingNamed(branding: Readonly<TenantBranding> | undefined, keepNulls: boolean): TenantBranding | null {
  if (!branding) return null;
  const named = Object.fromEntries(
    (['name', 'logo_url', 'accent_color'] as const).filter((key) => branding[key] !== undefined && (keepNulls || branding[key] !== null)).map((key) => [key, branding[key]]),
  );
  return Object.keys(named).length > 0 ? named : null;
}

export function tenantDeleted(id: string): TenantDeleted {
  return { type: TenantEventType.TenantDeleted, schema_version: 1, data: { id } };
}

export function tenantErased(data: TenantErasedData): TenantErased {
  return { type: TenantEventType.TenantErased, schema_version: 1, data: { ...data, key_ids: [...data.key_ids] } };
}

export function tenantPayloadsPurged(data: TenantPayloadsPurgedData): TenantPayloadsPurged {
  return { type: TenantEventType.TenantPayloadsPurged, schema_version: 1, data: { ...data, key_ids: [...data.key_ids] } };
}

export function tenantRecorded(tenant: Parameters<typeof tenantCreated>[0] & { readonly created_at: Date }): TenantRecorded {
  return { type: TenantEventType.TenantRecorded, schema_version: 1, data: { ...tenantCreated(tenant).data, created_at: tenant.created_at.toISOString() } };
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(TenantEventType));

/**
 * Reads a stored event of a `tenant-` stream into the union. Every stored shape is
 * schema_version 1; null for a type this code does not know (a newer writer's), so readers skip it.
 */
export function readTenantEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): TenantEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  return { type: stored.type, schema_version: 1, data: stored.data } as TenantEvent;
}

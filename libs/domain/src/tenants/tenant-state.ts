import type { TenantBranding, TenantChanges, TenantEvent, TenantQuotas } from './tenant-events';

/**
 * What the tenant's stream says: its name, metadata and quotas. What it *uses* is not here and not
 * in its stream: the monthly event count is operational state (`tenant_usage`, one writer: the
 * publish admission), because counting by event would append to `tenant-<id>` on every publish —
 * serialising a tenant's publishers on one stream version, on the hot path — and the count is
 * already history elsewhere (one MessageReceived per accepted event). The endpoint count is read
 * from the endpoints projection.
 */
export interface TenantState {
  /** `none`: never created; `deleted`: gone for good (its id is never reused). */
  readonly status: 'none' | 'active' | 'deleted';
  readonly id: string | null;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly quotas: TenantQuotas;
  /** Null = keep payloads. */
  readonly payload_retention_days: number | null;
  /** The customer portal's look; a field never set is null. */
  readonly branding: Readonly<Required<TenantBranding>>;
  /** How many times its payloads were erased (TenantErased); its projection row has when. */
  readonly erasures: number;
}

export const initialTenantState: TenantState = Object.freeze({
  status: 'none',
  id: null,
  name: '',
  metadata: Object.freeze({}),
  quotas: Object.freeze({ max_endpoints: null, max_events_per_month: null }),
  payload_retention_days: null,
  branding: Object.freeze({ name: null, logo_url: null, accent_color: null }),
  erasures: 0,
});

const UNBRANDED: Required<TenantBranding> = { name: null, logo_url: null, accent_color: null };

function brandingWith(branding: Required<TenantBranding>, named: TenantBranding | undefined): Required<TenantBranding> {
  if (!named) return branding;
  return {
    name: named.name === undefined ? branding.name : named.name,
    logo_url: named.logo_url === undefined ? branding.logo_url : named.logo_url,
    accent_color: named.accent_color === undefined ? branding.accent_color : named.accent_color,
  };
}

const quotaOf = (value: string | null): number | null => (value === null ? null : Number(value));

function applyChanges(state: TenantState, changes: TenantChanges): TenantState {
  return {
    ...state,
    name: changes.name ?? state.name,
    metadata: changes.metadata ?? state.metadata,
    quotas: {
      max_endpoints: changes.max_endpoints === undefined ? state.quotas.max_endpoints : changes.max_endpoints,
      max_events_per_month: changes.max_events_per_month === undefined ? state.quotas.max_events_per_month : quotaOf(changes.max_events_per_month),
    },
    payload_retention_days: changes.payload_retention_days === undefined ? state.payload_retention_days : changes.payload_retention_days,
    branding: brandingWith(state.branding, changes.branding),
  };
}

export function evolveTenant(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'TenantCreated':
    case 'TenantRecorded':
      return {
        status: 'active',
        id: event.data.id,
        name: event.data.name,
        metadata: event.data.metadata,
        quotas: { max_endpoints: event.data.max_endpoints, max_events_per_month: quotaOf(event.data.max_events_per_month) },
        payload_retention_days: event.data.payload_retention_days ?? null,
        branding: brandingWith(UNBRANDED, event.data.branding),
        erasures: state.erasures,
      };
    case 'TenantUpdated':
      return applyChanges(state, event.data.changes);
    case 'TenantDeleted':
      return { ...state, status: 'deleted' };
    case 'TenantErased':
      return { ...state, erasures: state.erasures + 1 };
    default:
      return state;
  }
}

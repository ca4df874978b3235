import { Decider, DomainRuleError } from '../domain-event';
import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';
import type { CreateTenant, DeleteTenant, EraseTenant, PurgeTenantPayloads, TenantCommand, UpdateTenant } from './tenant-commands';
import { TenantBranding, TenantEvent, tenantCreated, tenantDeleted, tenantErased, tenantPayloadsPurged, tenantUpdated } from './tenant-events';
import { TenantState, evolveTenant, initialTenantState } from './tenant-state';

/**
 * Word for word the 404 the tenant guard answers for another tenant's id (apps' notFound), and
 * without a field: a different body would tell a caller that an id it may not see is taken.
 */
export const tenantNotFound = (id: string) => new DomainRuleError('not_found', `Tenant ${id} does not exist.`);

function requireActive(state: TenantState, id: string): void {
  if (state.status !== 'active') throw tenantNotFound(id);
}

/** The most days a payload can be kept for without keeping it for good (null): about 100 years. */
export const MAX_PAYLOAD_RETENTION_DAYS = 36_500;

function requireRetention(days: number | null | undefined): void {
  if (days === undefined || days === null) return;
  if (!Number.isInteger(days) || days < 1 || days > MAX_PAYLOAD_RETENTION_DAYS) {
    throw new DomainRuleError('invalid', `payload_retention_days must be an integer from 1 to ${MAX_PAYLOAD_RETENTION_DAYS}, or null to keep payloads`, 'payload_retention_days');
  }
}

export const MAX_BRANDING_NAME_LENGTH = 80;
export const MAX_LOGO_URL_LENGTH = 2048;
export const ACCENT_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The API checks these (and https for the logo) first; the stream never records a look the portal cannot show. */
function requireBranding(branding: TenantBranding | undefined): void {
  if (!branding) return;
  const { name, logo_url: logo, accent_color: accent } = branding;
  if (name != null && (typeof name !== 'string' || name.length < 1 || name.length > MAX_BRANDING_NAME_LENGTH)) {
    throw new DomainRuleError('invalid', `branding.name must be 1–${MAX_BRANDING_NAME_LENGTH} characters`, 'branding.name');
  }
  if (logo != null && (typeof logo !== 'string' || logo.length > MAX_LOGO_URL_LENGTH || !/^https?:\/\/[^\s]+$/i.test(logo))) {
    throw new DomainRuleError('invalid', `branding.logo_url must be an http(s) URL of at most ${MAX_LOGO_URL_LENGTH} characters`, 'branding.logo_url');
  }
  if (accent != null && (typeof accent !== 'string' || !ACCENT_COLOR.test(accent))) {
    throw new DomainRuleError('invalid', 'branding.accent_color must be a colour as #rrggbb', 'branding.accent_color');
  }
}

function create(command: CreateTenant, state: TenantState): TenantEvent[] {
  // A deleted tenant's id stays taken: its history (deliveries, audit trail) still names it.
  if (state.status !== 'none') {
    throw new DomainRuleError('conflict', `Tenant ${command.tenant_id} already exists (or existed: tenant ids are never reused).`, 'id');
  }
  requireRetention(command.payload_retention_days);
  requireBranding(command.branding);
  return [tenantCreated({
    id: command.tenant_id, name: command.name, metadata: command.metadata, quotas: command.quotas, payload_retention_days: command.payload_retention_days, branding: command.branding,
  })];
}

/** Every PATCH is recorded, even one that names nothing, as the API has always done (it moves updated_at). */
function update(command: UpdateTenant, state: TenantState): TenantEvent[] {
  requireActive(state, command.tenant_id);
  requireRetention(command.payload_retention_days);
  requireBranding(command.branding);
  return [tenantUpdated(command.tenant_id, {
    name: command.name, metadata: command.metadata, quotas: command.quotas, payload_retention_days: command.payload_retention_days, branding: command.branding,
  })];
}

function remove(command: DeleteTenant, state: TenantState): TenantEvent[] {
  // Checked before existence, as the API does: events published without a tenant land in it.
  if (command.tenant_id === DEFAULT_TENANT) {
    throw new DomainRuleError('conflict', `The ${DEFAULT_TENANT} tenant receives everything published without a tenant and cannot be deleted.`);
  }
  requireActive(state, command.tenant_id);
  return [tenantDeleted(command.tenant_id)];
}

/**
 * A tenant's payloads can be erased while it lives and after it was deleted (its history, and so
 * its sealed payloads, outlive it), and again: each erasure destroys the keys made since the last
 * one (messages accepted after it). Only a tenant that never existed is unknown.
 */
function erase(command: EraseTenant, state: TenantState): TenantEvent[] {
  if (state.status === 'none') throw tenantNotFound(command.tenant_id);
  return [tenantErased({ id: command.tenant_id, reason: command.reason, keys_destroyed: command.destroyed.count, key_ids: [...command.destroyed.key_ids] })];
}

/** Recorded only when retention destroyed something: a run that found nothing to purge leaves no event. */
function purge(command: PurgeTenantPayloads, state: TenantState): TenantEvent[] {
  if (state.status === 'none') throw tenantNotFound(command.tenant_id);
  if (command.destroyed.count === 0) return [];
  if (state.payload_retention_days === null) {
    throw new DomainRuleError('conflict', `Tenant ${command.tenant_id} keeps its payloads (payload_retention_days is null): nothing may be purged for retention.`);
  }
  return [tenantPayloadsPurged({
    id: command.tenant_id, before: command.before.toISOString(), payload_retention_days: state.payload_retention_days,
    keys_destroyed: command.destroyed.count, key_ids: [...command.destroyed.key_ids],
  })];
}

export const tenantDecider: Decider<TenantCommand, TenantState, TenantEvent> = {
  initialState: initialTenantState,
  decide(command, state) {
    switch (command.type) {
      case 'CreateTenant':
        return create(command, state);
      case 'UpdateTenant':
        return update(command, state);
      case 'DeleteTenant':
        return remove(command, state);
      case 'EraseTenant':
        return erase(command, state);
      case 'PurgeTenantPayloads':
        return purge(command, state);
    }
  },
  evolve: evolveTenant,
};

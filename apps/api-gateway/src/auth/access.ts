import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import type { Role } from './principal';

export const ACCESS = 'hookledger:access';
export const OWNED_BY = 'hookledger:owned-by';

export interface AccessRule {
  readonly roles: readonly Role[];
  /** Only keys that are not bound to a tenant (the platform operator's): tenants, the event catalog. */
  readonly acrossTenants: boolean;
}

/**
 * Which roles may call a route. Every authenticated route declares one: the guard refuses a
 * route without it to every key but an admin working across tenants (closed by default).
 */
export function Access(roles: readonly Role[], options: { acrossTenants?: boolean } = {}): MethodDecorator & ClassDecorator {
  const rule: AccessRule = { roles, acrossTenants: options.acrossTenants ?? false };
  return applyDecorators(
    SetMetadata(ACCESS, rule),
    ApiForbiddenResponse({ description: `Needs the role ${roles.join(', ')}${rule.acrossTenants ? ' on a key not bound to a tenant' : ''}` }),
  );
}

/** Roles that read what a tenant has. */
export const READERS: readonly Role[] = ['admin', 'reader', 'auditor'];
/** …and its endpoints and deliveries, which a portal token also sees. */
export const PORTAL_READERS: readonly Role[] = ['admin', 'reader', 'auditor', 'portal'];
/** Roles that change a tenant's endpoints and deliveries. */
export const MANAGERS: readonly Role[] = ['admin', 'portal'];
export const PUBLISHERS: readonly Role[] = ['admin', 'publisher'];
export const ADMINS: readonly Role[] = ['admin'];
export const AUDITORS: readonly Role[] = ['admin', 'auditor'];

/** The kinds of resource a route's `:id` can name, each owned by one tenant. */
export type OwnedResource = 'endpoint' | 'delivery' | 'event' | 'replay' | 'tenant' | 'api-key' | 'stream' | 'source';

/**
 * The route's path parameter names a resource of one tenant: a key bound to another tenant gets
 * the same 404 as for an id that does not exist, so it cannot even learn that the id is taken.
 */
export const OwnedBy = (resource: OwnedResource, param = 'id') => SetMetadata(OWNED_BY, { resource, param });

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * What a key may do. `admin` everything (within its tenant when it has one); `publisher` publish
 * only; `reader` read only; `auditor` read and the audit trail; `portal` a short-lived token for a
 * customer portal: that tenant's endpoints and deliveries.
 */
export const ROLES = ['admin', 'publisher', 'reader', 'auditor', 'portal'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: recorded as the actor in the metadata of every event a request appends. */
export interface Principal {
  /** `admin` for the bootstrap key (HOOKS_ADMIN_API_KEY), else the `key_…` id of an API key or portal token. */
  readonly keyId: string;
  readonly role: Role;
  /** The one tenant the key may see, or null for a key that works across tenants. */
  readonly tenantId: string | null;
  /** Requests per second this key may make; null = the configured default. */
  readonly rateLimitPerS: number | null;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('no principal on an authenticated route');
  return principal;
});

export function actorOf(principal: Principal): string {
  return `api-key:${principal.keyId}`;
}

/** Metadata for the events a request appends: who acted, and for which tenant (for tenant-scoped audit queries). */
export function changeMetadata(principal: Principal, tenantId: string | null): { actor: string; tenant_id?: string } {
  return tenantId === null ? { actor: actorOf(principal) } : { actor: actorOf(principal), tenant_id: tenantId };
}

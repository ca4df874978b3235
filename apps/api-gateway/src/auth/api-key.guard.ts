import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import { HookledgerConfig } from '@hookledger/config';
import { ProblemException, PUBLIC_ROUTE } from '@hookledger/observability';
import { ACCESS, AccessRule, OWNED_BY, OwnedResource } from './access';
import { ApiKeysRepository, keyDigest } from './api-keys.repository';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { AuthenticatedRequest, Principal } from './principal';
import { TenantScope } from './tenant-scope';

/** A route that forgot to say who may call it is open to the platform operator only. */
const CLOSED: AccessRule = { roles: ['admin'], acrossTenants: true };

/**
 * Bearer authentication, then authorisation, for every route that is not public:
 * 1. the key (too many requests without a valid one from one address: 429, see AuthFailureLimiter):
 *    the bootstrap admin key (compared as SHA-256 digests in constant time, so neither
 *    its length nor its prefix leaks through timing) or an `hl_…`/`hlp_…` key found by its digest;
 * 2. the role: the route's `@Access` names the roles that may call it (403 otherwise);
 * 3. the tenant: a key bound to a tenant gets 404 for a resource (`@OwnedBy`) of another tenant.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly adminKeyDigest: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysRepository,
    private readonly scope: TenantScope,
    private readonly failures: AuthFailureLimiter,
    config: HookledgerConfig,
  ) {
    this.adminKeyDigest = config.api.adminApiKey ? keyDigest(config.api.adminApiKey) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request.headers.authorization).catch(async (error: unknown) => {
      await this.failures.failed(request.ip);
      throw error;
    });
    request.principal = principal;

    const rule = this.reflector.getAllAndOverride<AccessRule>(ACCESS, targets) ?? CLOSED;
    if (!rule.roles.includes(principal.role)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, `An API key with the role ${principal.role} cannot ${request.method} ${request.route?.path ?? request.path}; it needs the role ${rule.roles.join(' or ')}.`);
    }
    if (rule.acrossTenants && principal.tenantId !== null) {
      throw new ProblemException(HttpStatus.FORBIDDEN, `This API key belongs to tenant ${principal.tenantId}; ${request.method} ${request.route?.path ?? request.path} needs a key that is not bound to a tenant.`);
    }
    const owned = this.reflector.getAllAndOverride<{ resource: OwnedResource; param: string } | undefined>(OWNED_BY, targets);
    if (owned) await this.scope.requireVisible(principal, owned.resource, String(request.params[owned.param]));
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw unauthorized('Missing Authorization header; send "Authorization: Bearer <api key>".');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <api key>".');
    const value = match[1];
    if (this.adminKeyDigest && timingSafeEqual(keyDigest(value), this.adminKeyDigest)) {
      return { keyId: 'admin', role: 'admin', tenantId: null, rateLimitPerS: null };
    }
    if (value.startsWith('hl_') || value.startsWith('hlp_')) {
      const grant = await this.keys.grantFor(value);
      if (grant) return { keyId: grant.id, role: grant.role, tenantId: grant.tenant_id, rateLimitPerS: grant.rate_limit_per_s };
    }
    throw unauthorized('The API key is not valid (unknown, revoked or expired).');
  }
}

const unauthorized = (detail: string) => new ProblemException(HttpStatus.UNAUTHORIZED, detail);

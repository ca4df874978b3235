import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { ProblemException, PUBLIC_ROUTE } from '@hookledger/observability';
import type { Principal } from './principal';

/**
 * Per-key rate limiting with @nestjs/throttler: each API key (or portal token) has one budget of
 * requests per second across all routes, its own `rate_limit_per_s` or HOOKS_API_RATE_LIMIT_PER_S.
 * Runs after ApiKeyGuard, so it knows the key; public routes (health, metrics) are not limited.
 * The count is per API instance (in memory), as with every @nestjs/throttler default store.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) === true;
  }

  /** Only authenticated requests get here (ApiKeyGuard ran first; public routes are skipped). */
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return `key:${(request.principal as Principal).keyId}`;
  }

  /** One budget per key, whichever route it calls (the library's default counts each route apart). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, `This API key may make ${detail.limit} requests per second; wait ${detail.timeToBlockExpire} s (Retry-After) and send again.`, {
      limit: detail.limit, retry_after: detail.timeToBlockExpire,
    });
  }
}

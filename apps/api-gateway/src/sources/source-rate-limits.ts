import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, normalizeIp, ThrottlerStorage } from '@nestjs/throttler';
import { HookledgerConfig } from '@hookledger/config';
import { ProblemException } from '@hookledger/observability';

/**
 * The ingress has no API key to count by: requests are counted per client address (an IPv6 /64
 * counts as one; before the source is even looked up, so probing ids costs the same) and per
 * source (HOOKS_SOURCE_RATE_LIMIT_PER_S, HOOKS_SOURCE_ADDRESS_RATE_LIMIT_PER_S). Over either,
 * 429 with Retry-After. Counted per API instance, in the throttler's store, for now.
 */
@Injectable()
export class SourceRateLimits {
  constructor(@InjectThrottlerStorage() private readonly storage: ThrottlerStorage, private readonly config: HookledgerConfig) {}

  async admitAddress(address: string | undefined): Promise<void> {
    const limit = this.config.sources.addressRateLimitPerS;
    await this.admit(`source-address:${normalizeIp(address ?? 'unknown', 64)}`, limit, `more than ${limit} requests a second from this address`);
  }

  async admitSource(sourceId: string): Promise<void> {
    const limit = this.config.sources.rateLimitPerS;
    await this.admit(`source:${sourceId}`, limit, `more than ${limit} requests a second for this source`);
  }

  private async admit(key: string, limit: number, what: string): Promise<void> {
    const record = await this.storage.increment(key, 1000, limit, 1000, 'sources');
    if (record.isBlocked) {
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, `Too many webhooks: ${what}; wait ${record.timeToBlockExpire} s (Retry-After) and send again.`, {
        retry_after: record.timeToBlockExpire,
      });
    }
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, normalizeIp, ThrottlerStorage } from '@nestjs/throttler';
import { ProblemException } from '@hookledger/observability';

/** Requests without a valid key one client address may send per minute before it is refused for one. */
export const AUTH_FAILURES_PER_MINUTE = 100;

/**
 * Keys cannot be guessed (256 random bits), but a client sending request after request with
 * wrong keys is either broken or probing: past AUTH_FAILURES_PER_MINUTE such requests from one
 * address (an IPv6 /64 counts as one), its next ones without a valid key get 429 with Retry-After
 * for a minute. Requests with a valid key from the same address are not affected, so a client
 * sharing an address with a prober keeps working. Counted per API instance, in the throttler's store.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(@InjectThrottlerStorage() private readonly storage: ThrottlerStorage) {}

  /** Records a request without a valid key; throws 429 once the address has sent too many. */
  async failed(address: string | undefined): Promise<void> {
    const client = normalizeIp(address ?? 'unknown', 64);
    const record = await this.storage.increment(`auth-failures:${client}`, 60_000, AUTH_FAILURES_PER_MINUTE, 60_000, 'auth-failures');
    if (record.isBlocked) {
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS,
        `Too many requests without a valid API key from this address (more than ${AUTH_FAILURES_PER_MINUTE} a minute); wait ${record.timeToBlockExpire} s (Retry-After).`,
        { retry_after: record.timeToBlockExpire });
    }
  }
}

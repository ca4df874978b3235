import { LRUCache } from 'lru-cache';

/** Most endpoints whose unsealed credentials are kept at once; past it the least recently used go. */
export const CREDENTIALS_MAX_ENDPOINTS = 10_000;
/** How long unsealed credentials are kept after they were opened; then they are dropped, used or not. */
export const CREDENTIALS_TTL_MS = 5 * 60_000;

export interface CredentialCacheOptions {
  readonly max?: number;
  readonly ttlMs?: number;
  /** The clock the time to live is measured on (tests pass their own). */
  readonly perf?: { now(): number };
}

/**
 * Unsealed endpoint credentials, per endpoint and valid for one endpoint version. Bounded in size
 * so memory does not grow with the number of endpoints, and in time so plaintext secrets do not
 * stay in memory for the life of the process: an entry is purged when its time is up, even if it
 * is never asked for again.
 */
export class CredentialCache<T extends { readonly version: number }> {
  private readonly entries: LRUCache<string, T>;

  constructor(options: CredentialCacheOptions = {}) {
    this.entries = new LRUCache<string, T>({
      max: options.max ?? CREDENTIALS_MAX_ENDPOINTS,
      ttl: options.ttlMs ?? CREDENTIALS_TTL_MS,
      ttlAutopurge: true,
      // The time to live counts from unsealing, not from the last use: a busy endpoint is unsealed again too.
      updateAgeOnGet: false,
      ...(options.perf ? { perf: options.perf } : {}),
    });
  }

  /** The endpoint's credentials if they were unsealed for this version of it. */
  get(endpointId: string, version: number): T | undefined {
    const cached = this.entries.get(endpointId);
    return cached?.version === version ? cached : undefined;
  }

  set(endpointId: string, credentials: T): void {
    this.entries.set(endpointId, credentials);
  }

  get size(): number {
    return this.entries.size;
  }
}

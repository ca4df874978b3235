import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulidx';
import type { OperationalEventName } from './subjects';

/**
 * Hookledger's own domain events, published on `<ns>.evt.<name>` for internal consumers.
 * Delivered at least once; `id` is unique per occurrence (and the JetStream msgID), so a
 * consumer deduplicates on it.
 */
export interface OperationalEvent<T extends OperationalEventName = OperationalEventName, D = Record<string, unknown>> {
  readonly id: string;
  readonly type: T;
  readonly occurred_at: string;
  readonly data: D;
}

/**
 * Every operational event about a tenant's deliveries, endpoints or keys names the tenant, so a
 * consumer can route it (and Hookledger forwards it as a `hookledger.<type>` webhook to that
 * tenant's subscribed endpoints). `ledger.checkpoint` covers the whole store and has none.
 */
export interface TenantScopedData {
  readonly tenant_id: string;
}

export interface DeliveryOutcomeData extends TenantScopedData {
  readonly delivery_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly endpoint_id: string;
  readonly attempt: number;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly next_attempt_at?: string | null;
}

/** `endpoint.disabled`, `endpoint.enabled`, `endpoint.circuit_opened`, `endpoint.circuit_closed` (plus fields of each, see the doc). */
export interface EndpointStatusData extends TenantScopedData {
  readonly endpoint_id: string;
  readonly reason?: string;
}

/**
 * `tenant.erased` and `tenant.payloads_purged`: data keys of the tenant were destroyed. Every
 * process that caches data keys drops the tenant's on hearing it (TenantDataKeyEvictions); the
 * cache's TTL is the backstop when the news is late.
 */
export interface TenantKeysDestroyedData extends TenantScopedData {
  readonly reason: 'erasure' | 'retention';
  readonly keys_destroyed: number;
}

// ulid() left to itself draws each of an id's 16 random characters with a call of its own to
// crypto.getRandomValues (and looks for the best generator each time): with one operational event
// per delivery that was the dispatcher's largest single cost after its sockets. The same
// cryptographic bytes, drawn 4 KiB at a time: one byte per character (256 is a multiple of 32, so
// each character stays uniform).
const pool = Buffer.alloc(4096);
let drawn = pool.length;
const pooledRandom = (): number => {
  if (drawn === pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  return pool[drawn++] / 256;
};

/**
 * A new occurrence of an operational event; its `id` is unique and doubles as the JetStream msgID.
 * Random within the millisecond (not monotonic), so one event's id does not give away the next.
 */
export function operationalEvent<T extends OperationalEventName, D>(type: T, data: D, occurredAt: Date = new Date()): OperationalEvent<T, D> {
  return { id: `evt_${ulid(undefined, pooledRandom)}`, type, occurred_at: occurredAt.toISOString(), data };
}

import { Validation, invalid, valid } from '../validation';

/**
 * Hookledger's own operational events, delivered as webhooks to the tenant they concern, carry
 * event types under this prefix. It is Hookledger's: nobody else publishes such a type or puts one
 * in the catalog, so a receiver can trust that `hookledger.endpoint.disabled` came from Hookledger.
 */
export const RESERVED_EVENT_TYPE_PREFIX = 'hookledger.';

/** The operational events a tenant's endpoint may subscribe to (docs/operational-events.md). */
export const OPERATIONAL_EVENT_TYPES = [
  'hookledger.delivery.succeeded',
  'hookledger.delivery.failed',
  'hookledger.delivery.exhausted',
  'hookledger.endpoint.disabled',
  'hookledger.endpoint.enabled',
  'hookledger.endpoint.circuit_opened',
  'hookledger.endpoint.circuit_closed',
] as const;

export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

const OPERATIONAL: ReadonlySet<string> = new Set(OPERATIONAL_EVENT_TYPES);

// Case-insensitive, and the bare word too: `HookLedger.endpoint.disabled` or `hookledger` published
// by a customer would look like ours to a reader, even though matching is case-sensitive.
const RESERVED = /^hookledger(\.|$)/i;

/** Whether `type` is under the reserved prefix (whatever its case). */
export function isReservedEventType(type: string): boolean {
  return RESERVED.test(type);
}

/** The webhook type of an operational event (`endpoint.disabled` → `hookledger.endpoint.disabled`), or null when it is not subscribable. */
export function operationalEventType(name: string): OperationalEventType | null {
  const type = `${RESERVED_EVENT_TYPE_PREFIX}${name}`;
  return OPERATIONAL.has(type) ? (type as OperationalEventType) : null;
}

/** A type a customer may publish or put in the catalog: anything not under the reserved prefix. */
export function validateCustomerEventType(type: string): Validation {
  if (!isReservedEventType(type)) return valid;
  return invalid(`"${type}" is under the prefix "${RESERVED_EVENT_TYPE_PREFIX}", reserved for Hookledger's operational events; endpoints may subscribe to them, nobody may publish them`);
}

/**
 * A subscription under the reserved prefix must name something that exists, so a typo does not
 * subscribe to nothing in silence: an operational type, or a prefix wildcard covering at least one.
 */
export function validateOperationalSubscription(pattern: string): Validation {
  if (!isReservedEventType(pattern)) return valid;
  if (OPERATIONAL.has(pattern)) return valid;
  if (pattern.endsWith('.*') && OPERATIONAL_EVENT_TYPES.some((type) => type.startsWith(pattern.slice(0, -1)))) return valid;
  return invalid(`"${pattern}" is not an operational event type; subscribe to one of ${OPERATIONAL_EVENT_TYPES.join(', ')}, or to hookledger.*`);
}

import { Validation, invalid, valid } from '../validation';
import { isReservedEventType } from './operational-event-types';

export const MAX_EVENT_TYPE_LENGTH = 128;
/** An event type: dot-separated segments of letters, digits, `_` or `-`. */
export const EVENT_TYPE_NAME = /^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/;
/** A subscription: an event type, a prefix wildcard (`invoice.*`) or `*`. */
export const EVENT_TYPE_PATTERN = /^(\*|[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*(\.\*)?)$/;
/** Tenant ids and channel names. */
export const ROUTING_TOKEN = /^[a-zA-Z0-9_.:-]{1,128}$/;

/** Every event and endpoint belongs to a tenant: those published or created without one, to this one. */
export const DEFAULT_TENANT = 'default';
/** A message id given by the publisher (its dedup key). */
export const MESSAGE_ID = /^[a-zA-Z0-9_.:-]{1,256}$/;

/** A published event's type: dot-separated segments, no wildcard. */
export function validateEventTypeName(name: string): Validation {
  if (typeof name !== 'string' || name.length === 0) return invalid('an event type must be a non-empty string');
  if (name.length > MAX_EVENT_TYPE_LENGTH) return invalid(`an event type is at most ${MAX_EVENT_TYPE_LENGTH} characters`);
  if (name.includes('*')) return invalid(`"${name}" contains a wildcard; only endpoint subscriptions may use one`);
  if (!EVENT_TYPE_NAME.test(name)) {
    return invalid(`"${name}" must be dot-separated segments of letters, digits, "_" or "-" (e.g. invoice.paid)`);
  }
  return valid;
}

/** An endpoint subscription: an exact name, `prefix.*` (any depth below prefix) or `*`. */
export function validateEventTypePattern(pattern: string): Validation {
  if (typeof pattern !== 'string' || pattern.length === 0) return invalid('an event type pattern must be a non-empty string');
  if (pattern.length > MAX_EVENT_TYPE_LENGTH) return invalid(`an event type pattern is at most ${MAX_EVENT_TYPE_LENGTH} characters`);
  if (EVENT_TYPE_PATTERN.test(pattern)) return valid;
  return invalid(`"${pattern}" must be an event type (invoice.paid), a prefix wildcard (invoice.*) or "*"`);
}

/**
 * Whether an endpoint subscribed with `patterns` receives `type`; null or empty means every type
 * but the reserved `hookledger.` ones, which go only to endpoints that name them (an existing
 * endpoint must not start receiving operational webhooks it never asked for).
 */
export function matchesEventType(patterns: readonly string[] | null | undefined, type: string): boolean {
  if (!patterns || patterns.length === 0) return !isReservedEventType(type);
  return patterns.some((pattern) => matchesPattern(pattern, type));
}

function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return !isReservedEventType(type);
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

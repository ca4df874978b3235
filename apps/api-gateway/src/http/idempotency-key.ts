import { createHash } from 'node:crypto';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1–255 printable ASCII characters, as Stripe accepts them (a UUID v4 is the usual choice). */
const KEY_FORMAT = /^[\x20-\x7e]{1,255}$/;

/** Why the key is not usable, or null when it is. */
export function idempotencyKeyProblem(key: string): string | null {
  return KEY_FORMAT.test(key) ? null : `${IDEMPOTENCY_HEADER} must be 1–255 printable ASCII characters`;
}

/**
 * What makes two requests "the same request": method, path and body. The body is hashed in a
 * canonical form (object keys sorted), so a client that re-serialises its retry in another key
 * order is not told it sent something different.
 */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

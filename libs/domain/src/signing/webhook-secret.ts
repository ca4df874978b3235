import { randomBytes } from 'node:crypto';
import { Validation, invalid, valid } from '../validation';

export const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 256;
const MIN_KEY_BYTES = 12;

/** `whsec_` + base64 of fresh random bytes (24–64; 32 by default). */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64) throw new RangeError('a secret is 24 to 64 random bytes');
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The HMAC key of a secret, decoded as the `standardwebhooks` and `svix` libraries decode it:
 * an optional `whsec_` prefix, then standard padded base64.
 */
export function parseSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Node's base64 decoder skips bad characters silently; a typo must not become a different key.
  if (encoded.length === 0 || !BASE64.test(encoded)) throw new Error('a webhook secret must be base64 after the optional "whsec_" prefix');
  return Buffer.from(encoded, 'base64');
}

/** Checks a secret a user gives us; the reason is safe to show (it never repeats the secret). */
export function validateSecret(secret: unknown): Validation {
  if (typeof secret !== 'string') return invalid('secret must be a string');
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    return invalid(`secret must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters long (it is ${secret.length})`);
  }
  let key: Buffer;
  try {
    key = parseSecret(secret);
  } catch {
    return invalid('secret must be standard base64 (A–Z, a–z, 0–9, "+", "/", "=" padding) after the optional "whsec_" prefix');
  }
  if (key.length < MIN_KEY_BYTES) return invalid(`secret must decode to at least ${MIN_KEY_BYTES} bytes (it decodes to ${key.length})`);
  return valid;
}

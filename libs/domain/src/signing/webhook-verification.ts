import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureProfile } from '../endpoints/endpoint-options';
import { isPublicKey, isSigningKey, parsePublicKey, verifyEd25519 } from './ed25519-keys';
import { hexHmac } from './signature-profiles';
import { parseSecret } from './webhook-secret';
import { DEFAULT_TIMESTAMP_TOLERANCE_SECONDS } from './webhook-signature';

export type VerificationFailure =
  | 'header_missing' | 'invalid_signature_format' | 'invalid_secret' | 'invalid_timestamp'
  | 'stale_timestamp' | 'timestamp_in_future' | 'no_matching_signature';

export type VerificationResult =
  | { readonly valid: true; readonly detail: string; readonly matched: { readonly scheme: string; readonly position: number } }
  | { readonly valid: false; readonly reason: VerificationFailure; readonly detail: string };

export interface VerificationInput {
  readonly body: string;
  /** Request headers; names in any case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** What the receiver holds: a `whsec_` secret, a `whpk_` public key, or a plain secret string (github, stripe, hmac-hex). */
  readonly secret: string;
  readonly now: Date;
  readonly toleranceSeconds?: number;
}

/** The signatures a request offers and the exact string each one signs. */
interface Offered {
  /** How the key checks a signature: Standard Webhooks HMAC (base64, key decoded from whsec_), Ed25519, or hex HMAC keyed with the secret string. */
  readonly check: 'standard-hmac' | 'ed25519' | 'hex-hmac';
  /** The signature's name as the profile writes it, for messages. */
  readonly scheme: string;
  readonly signatures: readonly string[];
  readonly content: string;
  /** Unix seconds to check for freshness, when the profile has a timestamp. */
  readonly timestamp?: string;
  readonly timestampHeader?: string;
}

type Failure = Extract<VerificationResult, { valid: false }>;
const fail = (reason: VerificationFailure, detail: string): Failure => ({ valid: false, reason, detail });

/** Verifies a request as a receiver of `profile` would, and says why not — for signature debugging. */
export function verifyWebhook(profile: SignatureProfile, input: VerificationInput): VerificationResult {
  if (isSigningKey(input.secret)) return fail('invalid_secret', 'that is a whsk_ signing key, which never leaves the sender; verify with the endpoint\'s whpk_ public key');
  const headers = Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name.toLowerCase(), value?.trim()]));
  const offered = profile === 'standard' || profile === 'standard-ed25519' ? standard(headers, input)
    : profile === 'github' ? github(headers, input)
    : profile === 'stripe' ? stripe(headers, input)
    : hmacHex(headers, input);
  if ('reason' in offered) return offered;

  const position = matchingPosition(offered, input.secret);
  if (typeof position !== 'number') return position;
  const matches = position > 0 ? `the ${offered.scheme} signature at position ${position} matches` : 'no signature matches';
  if (offered.timestamp !== undefined) {
    if (!/^\d{1,12}$/.test(offered.timestamp)) return fail('invalid_timestamp', `${offered.timestampHeader} must be unix seconds`);
    const tolerance = input.toleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS;
    const skew = Math.floor(input.now.getTime() / 1000) - Number(offered.timestamp);
    if (skew > tolerance) return fail('stale_timestamp', `${offered.timestampHeader} is ${skew} s old (tolerance ${tolerance} s); ${matches}`);
    if (-skew > tolerance) return fail('timestamp_in_future', `${offered.timestampHeader} is ${-skew} s in the future (tolerance ${tolerance} s); ${matches}`);
  }
  if (position === 0) {
    return fail('no_matching_signature', `none of the ${offered.signatures.length} ${offered.scheme} signatures matches the body signed with the given key`);
  }
  return { valid: true, detail: matches, matched: { scheme: offered.scheme, position } };
}

function standard(headers: Record<string, string | undefined>, input: VerificationInput): Offered | Failure {
  const { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = headers;
  const missing = missingHeaders({ 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': signature });
  if (missing) return missing;
  const entries = signature!.split(' ').filter(Boolean).map((entry) => entry.split(','));
  if (entries.some((entry) => entry.length !== 2 || !entry[0] || !entry[1])) {
    return fail('invalid_signature_format', 'webhook-signature must be space-separated "<version>,<base64 signature>" entries, like v1,K5oZ…=');
  }
  const scheme = isPublicKey(input.secret) ? 'v1a' : 'v1';
  const signatures = entries.filter(([version]) => version === scheme).map(([, value]) => value);
  if (signatures.length === 0) {
    const has = [...new Set(entries.map(([version]) => version))].join(', ');
    const hint = scheme === 'v1' ? 'v1a signatures verify with the endpoint\'s whpk_ public key' : 'v1 signatures verify with the endpoint\'s whsec_ secret';
    return fail('no_matching_signature', `webhook-signature has no ${scheme} signature (it has ${has}); ${hint}`);
  }
  // The timestamp exactly as sent: it is part of the signed string.
  const content = `${msgId}.${timestamp}.${input.body}`;
  return { check: scheme === 'v1a' ? 'ed25519' : 'standard-hmac', scheme, signatures, content, timestamp, timestampHeader: 'webhook-timestamp' };
}

function github(headers: Record<string, string | undefined>, input: VerificationInput): Offered | Failure {
  const signature = headers['x-hub-signature-256'];
  if (!signature) return fail('header_missing', 'the X-Hub-Signature-256 header is missing');
  if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) return fail('invalid_signature_format', 'X-Hub-Signature-256 must be "sha256=" and 64 hex digits');
  return { check: 'hex-hmac', scheme: 'sha256', signatures: [signature.slice('sha256='.length)], content: input.body };
}

function stripe(headers: Record<string, string | undefined>, input: VerificationInput): Offered | Failure {
  const header = headers['stripe-signature'];
  if (!header) return fail('header_missing', 'the Stripe-Signature header is missing');
  const items = header.split(',').map((item) => item.split('='));
  const timestamp = items.find(([key]) => key === 't')?.[1];
  const signatures = items.filter(([key, value]) => key === 'v1' && /^[0-9a-f]{64}$/i.test(value ?? '')).map(([, value]) => value);
  if (timestamp === undefined || signatures.length === 0) {
    return fail('invalid_signature_format', 'Stripe-Signature must be "t=<unix seconds>,v1=<64 hex digits>[,v1=…]"');
  }
  return { check: 'hex-hmac', scheme: 'v1', signatures, content: `${timestamp}.${input.body}`, timestamp, timestampHeader: 'the Stripe-Signature timestamp (t=)' };
}

function hmacHex(headers: Record<string, string | undefined>, input: VerificationInput): Offered | Failure {
  const signature = headers['x-webhook-signature'];
  if (!signature) return fail('header_missing', 'the X-Webhook-Signature header is missing');
  if (!/^[0-9a-f]{64}$/i.test(signature)) return fail('invalid_signature_format', 'X-Webhook-Signature must be 64 hex digits');
  const timestamp = headers['x-webhook-timestamp'];
  return { check: 'hex-hmac', scheme: 'hex', signatures: [signature], content: input.body, timestamp, timestampHeader: timestamp === undefined ? undefined : 'X-Webhook-Timestamp' };
}

/** 1-based position of the first offered signature the key verifies, 0 for none, or why the key cannot be used. */
function matchingPosition(offered: Offered, key: string): number | Failure {
  if (offered.check === 'ed25519') {
    try {
      parsePublicKey(key);
    } catch (error) {
      return fail('invalid_secret', (error as Error).message);
    }
    return offered.signatures.findIndex((signature) => verifyEd25519(key, offered.content, signature)) + 1;
  }
  if (isPublicKey(key)) return fail('invalid_secret', 'a whpk_ public key verifies only Standard Webhooks v1a signatures; this profile is signed with an HMAC secret');
  let expected: Buffer;
  if (offered.check === 'standard-hmac') {
    try {
      expected = createHmac('sha256', parseSecret(key)).update(offered.content).digest();
    } catch (error) {
      return fail('invalid_secret', (error as Error).message);
    }
    return offered.signatures.findIndex((signature) => sameBytes(Buffer.from(signature, 'base64'), expected)) + 1;
  }
  expected = Buffer.from(hexHmac(key, offered.content), 'hex');
  return offered.signatures.findIndex((signature) => sameBytes(Buffer.from(signature, 'hex'), expected)) + 1;
}

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

function missingHeaders(headers: Record<string, string | undefined>): Failure | null {
  const missing = Object.entries(headers).filter(([, value]) => !value).map(([name]) => name);
  return missing.length === 0 ? null : fail('header_missing', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (webhook-id, webhook-timestamp and webhook-signature are all signed)`);
}

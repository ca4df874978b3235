import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseSecret } from './webhook-secret';

export interface SignedContent {
  /** The message id: the same on every attempt, so receivers deduplicate on it. */
  readonly msgId: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  /** The exact bytes sent. */
  readonly body: string;
}

export interface WebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

export const DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** One `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated (several during a rotation). */
export function sign(input: SignedContent & { readonly secrets: readonly string[] }): string {
  if (input.secrets.length === 0) throw new Error('at least one secret is needed to sign a webhook');
  assertTimestamp(input.timestamp);
  return input.secrets.map((secret) => `v1,${hmac(parseSecret(secret), input).toString('base64')}`).join(' ');
}

/** The Standard Webhooks headers of one attempt. */
export function webhookHeaders(input: SignedContent & { readonly secrets: readonly string[] }): WebhookHeaders {
  return {
    'webhook-id': input.msgId,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': sign(input),
  };
}

export type SignatureCheck =
  | { readonly valid: true; readonly matchedSecretIndex: number }
  | { readonly valid: false; readonly reason: 'missing_headers' | 'invalid_timestamp' | 'timestamp_too_old' | 'timestamp_too_new' | 'no_matching_signature'; readonly detail: string };

/** Verifies headers as a receiver would, saying why not — for signature debugging. */
export function verifySignature(input: {
  readonly body: string;
  readonly headers: Partial<Record<keyof WebhookHeaders, string>>;
  readonly secrets: readonly string[];
  readonly now: Date;
  readonly toleranceSeconds?: number;
}): SignatureCheck {
  const { 'webhook-id': msgId, 'webhook-timestamp': rawTimestamp, 'webhook-signature': signatures } = input.headers;
  if (!msgId || !rawTimestamp || !signatures) {
    return { valid: false, reason: 'missing_headers', detail: 'webhook-id, webhook-timestamp and webhook-signature are all required' };
  }
  if (!/^\d{1,12}$/.test(rawTimestamp)) {
    return { valid: false, reason: 'invalid_timestamp', detail: 'webhook-timestamp must be unix seconds' };
  }
  const timestamp = Number(rawTimestamp);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS;
  const skew = Math.floor(input.now.getTime() / 1000) - timestamp;
  if (skew > tolerance) return { valid: false, reason: 'timestamp_too_old', detail: `webhook-timestamp is ${skew} s old (tolerance ${tolerance} s)` };
  if (-skew > tolerance) return { valid: false, reason: 'timestamp_too_new', detail: `webhook-timestamp is ${-skew} s in the future (tolerance ${tolerance} s)` };

  const offered = signatures
    .split(' ')
    .map((versioned) => versioned.split(','))
    .filter(([version, value]) => version === 'v1' && value)
    .map(([, value]) => Buffer.from(value, 'base64'));
  for (const [index, secret] of input.secrets.entries()) {
    const expected = hmac(parseSecret(secret), { msgId, timestamp, body: input.body });
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      return { valid: true, matchedSecretIndex: index };
    }
  }
  return { valid: false, reason: 'no_matching_signature', detail: `none of the ${offered.length} v1 signatures matches the body signed with the given secret` };
}

function hmac(key: Buffer, content: SignedContent): Buffer {
  return createHmac('sha256', key).update(`${content.msgId}.${content.timestamp}.${content.body}`).digest();
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('webhook timestamp must be whole unix seconds');
}

import { createHmac } from 'node:crypto';
import { isSigningKey, signEd25519 } from './ed25519-keys';
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

/**
 * One signature per key, space-separated (several during a rotation): `v1,<base64 HMAC-SHA256>`
 * for a `whsec_` secret, `v1a,<base64 Ed25519>` for a `whsk_` key, both of "id.timestamp.body".
 */
export function sign(input: SignedContent & { readonly secrets: readonly string[] }): string {
  if (input.secrets.length === 0) throw new Error('at least one secret is needed to sign a webhook');
  assertTimestamp(input.timestamp);
  const content = signedContent(input);
  return input.secrets
    .map((secret) => (isSigningKey(secret) ? `v1a,${signEd25519(secret, content)}` : `v1,${createHmac('sha256', parseSecret(secret)).update(content).digest('base64')}`))
    .join(' ');
}

/** The Standard Webhooks headers of one attempt. */
export function webhookHeaders(input: SignedContent & { readonly secrets: readonly string[] }): WebhookHeaders {
  return {
    'webhook-id': input.msgId,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': sign(input),
  };
}

/** What Standard Webhooks signatures cover. */
export const signedContent = (content: SignedContent): string => `${content.msgId}.${content.timestamp}.${content.body}`;

export function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('webhook timestamp must be whole unix seconds');
}

import { createHmac } from 'node:crypto';
import type { SignatureProfile } from '../endpoints/endpoint-options';
import { isSigningKey } from './ed25519-keys';
import { assertTimestamp, webhookHeaders } from './webhook-signature';

export interface ProfileSigningInput {
  /** The message id (webhook-id): the same on every attempt. */
  readonly msgId: string;
  readonly eventType: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  /** The exact bytes sent. */
  readonly body: string;
  /** Every key valid now (several during a rotation's grace period), newest first. */
  readonly secrets: readonly string[];
}

/** Which kind of key an endpoint with this profile signs with: a `whsec_` secret or a `whsk_` Ed25519 key. */
export const keyKindOf = (profile: SignatureProfile): 'hmac' | 'ed25519' => (profile === 'standard-ed25519' ? 'ed25519' : 'hmac');

/**
 * The signature headers of one attempt, in the endpoint's signature profile. Every profile also
 * sends `webhook-id`, the message id, for receivers to deduplicate retries on.
 *
 * The Standard Webhooks profiles carry one signature per valid key, each in its key's scheme (`v1`
 * HMAC, `v1a` Ed25519), so even a rotation between the two loses nothing. Stripe's header takes a
 * `v1=` per key too. GitHub's and hmac-hex's headers hold a single signature: the oldest valid key
 * makes it, so a receiver keeps verifying with its old secret until the grace period ends.
 * The HMAC key of these three is the secret string itself (UTF-8), as their receivers use it.
 */
export function signatureHeaders(profile: SignatureProfile, input: ProfileSigningInput): Record<string, string> {
  assertTimestamp(input.timestamp);
  if (profile === 'standard' || profile === 'standard-ed25519') return { ...webhookHeaders(input) };
  // An Ed25519 key left over from a rotation away from standard-ed25519 cannot sign these profiles.
  const secrets = input.secrets.filter((secret) => !isSigningKey(secret));
  if (secrets.length === 0) throw new Error(`the ${profile} profile needs an HMAC secret and the endpoint has none`);
  const oldest = secrets[secrets.length - 1];
  switch (profile) {
    case 'github':
      return {
        'webhook-id': input.msgId,
        'x-github-event': input.eventType,
        'x-github-delivery': input.msgId,
        'x-hub-signature-256': `sha256=${hexHmac(oldest, input.body)}`,
      };
    case 'stripe':
      return {
        'webhook-id': input.msgId,
        'stripe-signature': [`t=${input.timestamp}`, ...secrets.map((secret) => `v1=${hexHmac(secret, `${input.timestamp}.${input.body}`)}`)].join(','),
      };
    case 'hmac-hex':
      return {
        'webhook-id': input.msgId,
        'x-webhook-event': input.eventType,
        'x-webhook-timestamp': String(input.timestamp),
        'x-webhook-signature': hexHmac(oldest, input.body),
      };
  }
}

/** HMAC-SHA256 keyed with the secret string as the receiver holds it (`whsec_` prefix included). */
export const hexHmac = (secret: string, content: string): string => createHmac('sha256', Buffer.from(secret, 'utf8')).update(content).digest('hex');

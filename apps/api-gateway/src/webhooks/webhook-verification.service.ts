import { HttpStatus, Injectable } from '@nestjs/common';
import { compareBody, SignatureProfile, payloadBodies, verifyWebhook } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import type { Principal } from '../auth/principal';
import { EVERY_TENANT, MessagesRepository } from '../events/messages.repository';
import { VerifyWebhookDto, WebhookVerificationResource } from './webhook-verification.dto';

/** Where each profile carries the signature and, if it has one outside the signature, the timestamp. */
const HEADERS: Record<SignatureProfile, { readonly signature: string; readonly timestamp?: string }> = {
  standard: { signature: 'webhook-signature', timestamp: 'webhook-timestamp' },
  'standard-ed25519': { signature: 'webhook-signature', timestamp: 'webhook-timestamp' },
  github: { signature: 'x-hub-signature-256' },
  stripe: { signature: 'stripe-signature' },
  'hmac-hex': { signature: 'x-webhook-signature', timestamp: 'x-webhook-timestamp' },
};

/**
 * Signature debugging: verifies a request as the receiver would. An HMAC alone cannot tell a wrong
 * secret from an altered body, but when the request names a message we sent, we render the body
 * we sent and compare: other bytes mean the body changed on the way (often parsed and
 * re-serialised by the receiver); the same bytes mean the key is wrong.
 *
 * The comparison is an oracle on what we sent, so it only ever looks at the caller's own tenant's
 * messages (an id of another tenant answers exactly as an id nobody has), and it never says where
 * a body differs: a position lets guesses recover a payload one character at a time.
 */
@Injectable()
export class WebhookVerificationService {
  constructor(private readonly messages: MessagesRepository) {}

  async verify(input: VerifyWebhookDto, principal: Principal): Promise<WebhookVerificationResource> {
    const profile = input.signature_profile ?? 'standard';
    const headers = this.headersOf(input, profile);
    const result = verifyWebhook(profile, { body: input.payload, headers, secret: input.secret, now: new Date(), toleranceSeconds: input.tolerance_s });
    if (result.valid) return { valid: true, detail: result.detail, matched: result.matched };
    if (result.reason !== 'no_matching_signature') return { valid: false, reason: result.reason, detail: result.detail };

    const found = await this.sentMessages(headers, input.payload, principal);
    if (found.length === 0) {
      return { valid: false, reason: 'signature_mismatch', detail: `${result.detail}: the secret is wrong or the body was altered (no message we sent has this id, so we cannot tell which)` };
    }
    // A purged payload (retention, erasure) is gone for us too: nothing to compare with.
    const messages = found.filter((each) => each.data !== null);
    if (messages.length === 0) {
      return { valid: false, reason: 'signature_mismatch', detail: `${result.detail}: the secret is wrong or the body was altered (the payload we sent for ${found[0].id} was purged, so we cannot tell which)` };
    }
    // The endpoint is not known here: compare with both payload formats (of every tenant's message
    // with this id, for a key across tenants; they are all the caller's to see).
    const message = messages[0];
    const sent = messages.flatMap((each) => payloadBodies(each));
    const comparison = compareBody(input.payload, sent);
    if (comparison.kind === 'identical') {
      return {
        valid: false, reason: 'wrong_secret', message_id: message.id,
        detail: `${result.detail}. The payload is exactly what we sent for ${message.id}, so the key is wrong (or a signed header such as the id or timestamp was changed).`,
      };
    }
    const how = comparison.kind === 'reserialised'
      ? 'it is the same JSON re-serialised (whitespace, key order or escapes changed): verify the raw request body, before any JSON parsing'
      : 'its content differs from what we sent';
    return { valid: false, reason: 'body_altered', message_id: message.id, detail: `${result.detail}. The payload is not the body we sent for ${message.id}: ${how}.` };
  }

  /** The given headers, names lower-cased, with the explicit fields put in the profile's headers. */
  private headersOf(input: VerifyWebhookDto, profile: SignatureProfile): Record<string, string> {
    const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const names = HEADERS[profile];
    if (input.signature !== undefined) headers[names.signature] = input.signature;
    if (input.id !== undefined) headers['webhook-id'] = input.id;
    if (input.timestamp !== undefined) {
      if (!names.timestamp) {
        const why = profile === 'stripe' ? 'its timestamp is the t= of the Stripe-Signature header' : 'it signs no timestamp';
        throw new ProblemException(HttpStatus.BAD_REQUEST, `timestamp: does not apply to the ${profile} profile (${why})`, {
          errors: [{ field: 'timestamp', message: `timestamp does not apply to the ${profile} profile` }],
        });
      }
      headers[names.timestamp] = input.timestamp;
    }
    return headers;
  }

  /** The caller's messages with the id the request names: webhook-id, X-GitHub-Delivery, or the id in the body. */
  private async sentMessages(headers: Record<string, string>, payload: string, principal: Principal) {
    const id = headers['webhook-id'] ?? headers['x-github-delivery'] ?? idInBody(payload);
    return id ? this.messages.withId(principal.tenantId ?? EVERY_TENANT, id) : [];
  }
}

function idInBody(payload: string): string | undefined {
  try {
    const id = (JSON.parse(payload) as { id?: unknown })?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

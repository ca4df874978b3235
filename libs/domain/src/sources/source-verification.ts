import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureProfile } from '../endpoints/endpoint-options';
import { verifyWebhook } from '../signing/webhook-verification';
import { DEFAULT_TIMESTAMP_TOLERANCE_SECONDS } from '../signing/webhook-signature';
import type { SourceType } from './source-events';

/** One request to `/in/:source_id`, as received. */
export interface IncomingRequest {
  readonly method: string;
  /** What HubSpot signed: `${HOOKS_PUBLIC_URL}/in/<id>` and the query string as received. */
  readonly uri: string;
  /** The body exactly as received, read as UTF-8 (JSON is UTF-8; other bytes cannot match a signature over JSON text). */
  readonly body: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
}

export type SourceVerification =
  | { readonly valid: true }
  /** `detail` says only what the sender can fix (a header missing or malformed, a stale timestamp), never which key was tried. */
  | { readonly valid: false; readonly detail: string };

const PROFILE: Record<Exclude<SourceType, 'hubspot'>, SignatureProfile> = { github: 'github', stripe: 'stripe', standard: 'standard', 'hmac-hex': 'hmac-hex' };

/** Verifies a request against every secret in force (newest first): during a rotation's grace period either one passes. */
export function verifySourceRequest(type: SourceType, request: IncomingRequest, secrets: readonly string[]): SourceVerification {
  let failure: SourceVerification = { valid: false, detail: 'the signature does not match' };
  for (const secret of secrets) {
    const result = type === 'hubspot' ? verifyHubSpotV3(request, secret) : fromProfile(verifyWebhook(PROFILE[type], { body: request.body, headers: request.headers, secret, now: request.now }));
    if (result.valid) return result;
    failure = result;
  }
  return failure;
}

function fromProfile(result: ReturnType<typeof verifyWebhook>): SourceVerification {
  if (result.valid) return { valid: true };
  switch (result.reason) {
    case 'header_missing':
    case 'invalid_signature_format':
    case 'invalid_timestamp':
      // These name headers and their format only, which the sender's own docs describe.
      return { valid: false, detail: result.detail };
    case 'stale_timestamp':
    case 'timestamp_in_future':
      return { valid: false, detail: `the signed timestamp is outside the ${DEFAULT_TIMESTAMP_TOLERANCE_SECONDS / 60}-minute window` };
    default:
      return { valid: false, detail: 'the signature does not match' };
  }
}

// HubSpot signs the URI with these characters decoded (developers.hubspot.com, "Validating requests", v3).
const HUBSPOT_DECODED: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/** The URI as HubSpot signs it: the listed percent-escapes decoded, everything else as sent. */
export function hubSpotSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => HUBSPOT_DECODED[escape.toUpperCase()]);
}

/**
 * HubSpot's v3 signature: base64 HMAC-SHA256, keyed with the app's client secret, of
 * method + URI + body + X-HubSpot-Request-Timestamp (milliseconds), refused outside five minutes.
 */
export function verifyHubSpotV3(request: IncomingRequest, clientSecret: string): SourceVerification {
  const signature = request.headers['x-hubspot-signature-v3'];
  const timestamp = request.headers['x-hubspot-request-timestamp'];
  if (!signature || !timestamp) return { valid: false, detail: 'X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are both required' };
  if (!/^\d{1,15}$/.test(timestamp)) return { valid: false, detail: 'X-HubSpot-Request-Timestamp must be unix milliseconds' };
  const expected = createHmac('sha256', clientSecret).update(`${request.method}${hubSpotSignedUri(request.uri)}${request.body}${timestamp}`).digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, detail: 'the signature does not match' };
  if (Math.abs(request.now.getTime() - Number(timestamp)) > DEFAULT_TIMESTAMP_TOLERANCE_SECONDS * 1000) {
    return { valid: false, detail: `the signed timestamp is outside the ${DEFAULT_TIMESTAMP_TOLERANCE_SECONDS / 60}-minute window` };
  }
  return { valid: true };
}

import { createHash } from 'node:crypto';
import type { SignatureProfile } from '../endpoints/endpoint-options';

/** What a recorded header value becomes when it carries a credential. */
export const REDACTED = '[redacted]';

/**
 * The request of one attempt as it went out, for the delivery history: every header sent, with
 * the credential-bearing ones replaced by {@link REDACTED}, the SHA-256 of the exact body bytes
 * (the payload itself is the message's, sealed apart), and the signature header. The signature is
 * no secret (every receiver gets it); the secret that made it is, and never appears here.
 */
export type AttemptRequest = {
  method: 'POST';
  /** Names as sent (lowercase for ours, as configured for the endpoint's custom headers). */
  headers: Record<string, string>;
  /** Lowercase hex. */
  body_sha256: string;
  /** The signature profile's header, or null when none was sent. */
  signature: { header: string; value: string } | null;
};

const SIGNATURE_HEADERS: Readonly<Record<SignatureProfile, string>> = {
  standard: 'webhook-signature',
  'standard-ed25519': 'webhook-signature',
  github: 'x-hub-signature-256',
  stripe: 'stripe-signature',
  'hmac-hex': 'x-webhook-signature',
};

/** The header that carries the signature in a profile. */
export const signatureHeaderOf = (profile: SignatureProfile): string => SIGNATURE_HEADERS[profile];

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey']);
/** Words that make a header name a credential wherever they stand in it: `X-Auth-Token`, `X-Client-Secret`, `X_API_KEY`. */
const CREDENTIAL_WORDS = /(^|[-_.])(auth|authorization|token|secret|password|passwd|credentials?|cookie|session|api[-_]?key|access[-_]?key)([-_.]|$)/i;
/** Values that are credentials whatever their header is called: HTTP auth schemes and our own key formats. */
const CREDENTIAL_VALUES = /^\s*(basic|bearer|digest|token)\s+\S|whsec_|whsk_/i;

/**
 * A header that carries a credential by its name. The API refuses such custom headers (they belong
 * in the endpoint's sealed `auth`); endpoints created before that rule may still have them.
 */
export const isCredentialHeader = (name: string): boolean => CREDENTIAL_HEADERS.has(name.toLowerCase()) || CREDENTIAL_WORDS.test(name);

export interface AttemptRequestInput {
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body sent (UTF-8). */
  readonly body: string;
  readonly signatureProfile: SignatureProfile;
  /**
   * Credential texts that must not survive anywhere in the record: the signing secrets and the
   * auth token or password. A header whose value holds one is redacted whatever it is called.
   */
  readonly credentials: readonly string[];
}

/**
 * The record of a request as sent. Only what was sent, nothing derived beyond the body digest:
 * it goes into every DeliveryAttempted, on the dispatcher's hot path.
 */
export function attemptRequest(input: AttemptRequestInput): AttemptRequest {
  const credentials = input.credentials.filter((credential) => credential.length >= 4);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    const secret = isCredentialHeader(name) || CREDENTIAL_VALUES.test(value) || credentials.some((credential) => value.includes(credential));
    headers[name] = secret ? REDACTED : value;
  }
  const signatureName = signatureHeaderOf(input.signatureProfile);
  const signatureEntry = Object.entries(headers).find(([name]) => name.toLowerCase() === signatureName);
  return {
    method: 'POST',
    headers,
    body_sha256: createHash('sha256').update(input.body, 'utf8').digest('hex'),
    signature: signatureEntry ? { header: signatureEntry[0], value: signatureEntry[1] } : null,
  };
}

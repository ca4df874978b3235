/**
 * How an endpoint wants its webhooks: which signature scheme its receiver already verifies and
 * whether it takes our envelope or the bare data object.
 */
export const SIGNATURE_PROFILES = ['standard', 'standard-ed25519', 'github', 'stripe', 'hmac-hex'] as const;
export type SignatureProfile = (typeof SIGNATURE_PROFILES)[number];

export const PAYLOAD_FORMATS = ['envelope', 'data'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** Authentication we present to the receiver, as given by the API (write-only there). */
export type EndpointAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string };

/** The `authorization` header value for an endpoint's auth. */
export function authorizationHeader(auth: EndpointAuth): string {
  return auth.type === 'basic'
    ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
    : `Bearer ${auth.token}`;
}

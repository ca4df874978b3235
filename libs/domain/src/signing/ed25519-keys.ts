import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

/**
 * Standard Webhooks asymmetric keys: `whsk_` + base64 of the 64-byte Ed25519 secret key (the
 * 32-byte seed then the 32-byte public key, as libsodium stores it), `whpk_` + base64 of the
 * 32-byte public key. Only the public key is ever shown; receivers verify `v1a` signatures with it.
 */
export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

export interface SigningKeyPair {
  readonly secretKey: string;
  readonly publicKey: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const [seed, pub] = [Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')];
  return { secretKey: SIGNING_KEY_PREFIX + Buffer.concat([seed, pub]).toString('base64'), publicKey: PUBLIC_KEY_PREFIX + pub.toString('base64') };
}

export const isSigningKey = (key: string): boolean => key.startsWith(SIGNING_KEY_PREFIX);
export const isPublicKey = (key: string): boolean => key.startsWith(PUBLIC_KEY_PREFIX);

/** The `whpk_` public key of a `whsk_` secret key. */
export function publicKeyOf(secretKey: string): string {
  return PUBLIC_KEY_PREFIX + decode(secretKey, SIGNING_KEY_PREFIX, 64).subarray(32).toString('base64');
}

/** The base64 Ed25519 signature of `content`. */
export function signEd25519(secretKey: string, content: string): string {
  const raw = decode(secretKey, SIGNING_KEY_PREFIX, 64);
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: raw.subarray(0, 32).toString('base64url'), x: raw.subarray(32).toString('base64url') },
    format: 'jwk',
  });
  return sign(null, Buffer.from(content, 'utf8'), key).toString('base64');
}

/** Whether `signature` (base64) is the Ed25519 signature of `content` by the key behind `publicKey`. */
export function verifyEd25519(publicKey: string, content: string, signature: string): boolean {
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(content, 'utf8'), parsePublicKey(publicKey), bytes);
}

/** A `whpk_` key as a Node key object; throws with a reason safe to show when it is not one. */
export function parsePublicKey(publicKey: string): KeyObject {
  const raw = decode(publicKey, PUBLIC_KEY_PREFIX, 32);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function decode(key: string, prefix: string, length: number): Buffer {
  const encoded = key.startsWith(prefix) ? key.slice(prefix.length) : '';
  const raw = Buffer.from(encoded, 'base64');
  // Node's decoder skips bad characters; re-encoding catches typos that would yield another key.
  if (raw.length !== length || raw.toString('base64') !== encoded) {
    throw new Error(`an Ed25519 key must be "${prefix}" + standard base64 of ${length} bytes`);
  }
  return raw;
}

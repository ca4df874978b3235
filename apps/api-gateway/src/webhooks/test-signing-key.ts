import { HttpStatus } from '@nestjs/common';
import { generateSecret, generateSigningKeyPair, keyKindOf, SignatureProfile, validateSecret } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';

/** The key a test request is signed with, and what the answer shows of it. */
export interface TestSigningKey {
  readonly key: string;
  /** A generated secret or the public key of a one-off pair; nothing when the caller gave the secret. */
  readonly shown: { readonly secret: string } | { readonly public_key: string } | Record<string, never>;
}

/**
 * The caller's secret, checked as an endpoint's would be, or a fresh one to show once. For
 * standard-ed25519 Hookledger always makes the key pair (an endpoint's private key never leaves
 * it either), so the test signs with a one-off pair and shows its public key.
 */
export function testSigningKey(profile: SignatureProfile, given: string | undefined): TestSigningKey {
  if (keyKindOf(profile) === 'ed25519') {
    if (given !== undefined) throw invalidSecret('standard-ed25519 signs with a key pair Hookledger generates; omit secret and verify with the public_key in the answer');
    const pair = generateSigningKeyPair();
    return { key: pair.secretKey, shown: { public_key: pair.publicKey } };
  }
  if (given === undefined) {
    const secret = generateSecret();
    return { key: secret, shown: { secret } };
  }
  const check = validateSecret(given);
  if (!check.valid) throw invalidSecret(check.reason);
  return { key: given, shown: {} };
}

const invalidSecret = (message: string) =>
  new ProblemException(HttpStatus.BAD_REQUEST, `secret: ${message}`, { errors: [{ field: 'secret', message }] });

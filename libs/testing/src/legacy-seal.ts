import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A value sealed the way SecretCipher sealed before values were bound to their row (format v1:
 * only the key id is authenticated), as databases from that time still hold. Production code can
 * no longer write one; tests use this to prove such values still open and get re-sealed.
 */
export function sealUnbound(key: Buffer, plaintext: string): string {
  const keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyId));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

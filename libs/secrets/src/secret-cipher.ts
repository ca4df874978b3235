import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (endpoint signing secrets, credentials). A sealed value is
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts); the key id — a short digest of the key —
 * says which key sealed it, so keys can be rotated and old rows re-sealed later.
 */
export class SecretCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer, private readonly previousKeys: readonly Buffer[] = []) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.keyId = SecretCipher.idOf(key);
  }

  static idOf(key: Buffer): string {
    return createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(this.keyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
    const key = [this.key, ...this.previousKeys].find((candidate) => SecretCipher.idOf(candidate) === keyId);
    if (!key) throw new Error(`no encryption key with id ${keyId} is configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

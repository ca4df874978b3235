import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (endpoint signing secrets, credentials). A sealed value is
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts); the key id — a short digest of the key —
 * says which key sealed it, so keys can be rotated: values always seal with the current key and
 * open with whichever known key sealed them, until `npm run secrets:reencrypt` moves them all over.
 */
export class SecretCipher {
  readonly keyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(private readonly key: Buffer, previousKeys: readonly Buffer[] = []) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    if (previousKeys.some((previous) => previous.length !== 32)) throw new Error('every previous encryption key must be 32 bytes');
    this.keyId = SecretCipher.idOf(key);
    this.keys = new Map([...previousKeys, key].map((candidate) => [SecretCipher.idOf(candidate), candidate]));
  }

  static idOf(key: Buffer): string {
    return createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  /** The id of the key that sealed a value, without opening it. */
  static keyIdOf(sealed: string): string {
    return SecretCipher.parse(sealed).keyId;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The key id is authenticated, so a value cannot be passed off as sealed by another key.
    cipher.setAAD(Buffer.from(this.keyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** The plaintext; throws — never returns garbage — for an unknown key id or a value that was altered. */
  open(sealed: string): string {
    const { keyId, iv, tag, ciphertext } = SecretCipher.parse(sealed);
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no encryption key with id ${keyId} is configured (HOOKS_ENCRYPTION_KEY or HOOKS_ENCRYPTION_KEY_PREVIOUS)`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`a secret sealed with key ${keyId} failed authentication: it was altered or sealed with another key`);
    }
  }

  /** True when the value was sealed with the current key (nothing to re-encrypt). */
  isCurrent(sealed: string): boolean {
    return SecretCipher.keyIdOf(sealed) === this.keyId;
  }

  /** The value sealed with the current key: re-encryption for key rotation. */
  reseal(sealed: string): string {
    return this.seal(this.open(sealed));
  }

  private static parse(sealed: string): { keyId: string; iv: string; tag: string; ciphertext: string } {
    const parts = sealed.split('.');
    const [version, keyId, iv, tag, ciphertext] = parts;
    if (parts.length !== 5 || version !== 'v1' || !keyId || !iv || !tag) throw new Error('not a sealed secret');
    // A 16-byte GCM tag: a truncated tag would weaken authentication.
    if (Buffer.from(tag, 'base64url').length !== 16) throw new Error('not a sealed secret');
    return { keyId, iv, tag, ciphertext };
  }
}

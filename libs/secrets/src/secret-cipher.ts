import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealContext } from './seal-context';

type Version = 'v1' | 'v2';

/**
 * AES-256-GCM for secrets at rest (endpoint signing secrets, credentials, idempotent answers). A
 * sealed value is `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts); the key id — a short
 * digest of the key — says which key sealed it, so keys can be rotated: values always seal with
 * the current key and open with whichever known key sealed them, until `npm run secrets:reencrypt`
 * moves them all over.
 *
 * A v2 value is bound to where it is stored (its {@link SealContext}: table, column, row), so a
 * value copied to another row or column does not open. v1 values, sealed before that binding, are
 * bound only to their key; they still open, anywhere, until `secrets:reencrypt` re-seals them as v2.
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

  seal(plaintext: string, context: SealContext): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(additionalData('v2', this.keyId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /**
   * The plaintext of a value sealed for `context`; throws — never returns garbage — for an unknown
   * key id, or a value that was altered or sealed for another row or column.
   */
  open(sealed: string, context: SealContext): string {
    const { version, keyId, iv, tag, ciphertext } = SecretCipher.parse(sealed);
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no encryption key with id ${keyId} is configured (HOOKS_ENCRYPTION_KEY or HOOKS_ENCRYPTION_KEY_PREVIOUS)`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(additionalData(version, keyId, context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`the value sealed with key ${keyId} at ${context} failed authentication: it was altered, sealed with another key, or copied from another row or column`);
    }
  }

  /** True when the value was sealed with the current key and bound to its row (nothing to re-encrypt). */
  isCurrent(sealed: string): boolean {
    const { version, keyId } = SecretCipher.parse(sealed);
    return version === 'v2' && keyId === this.keyId;
  }

  /** The value sealed with the current key and bound to `context`: re-encryption for key rotation and upgrade. */
  reseal(sealed: string, context: SealContext): string {
    return this.seal(this.open(sealed, context), context);
  }

  private static parse(sealed: string): { version: Version; keyId: string; iv: string; tag: string; ciphertext: string } {
    const parts = sealed.split('.');
    const [version, keyId, iv, tag, ciphertext] = parts;
    if (parts.length !== 5 || (version !== 'v1' && version !== 'v2') || !keyId || !iv || !tag) throw new Error('not a sealed secret');
    // A 16-byte GCM tag: a truncated tag would weaken authentication.
    if (Buffer.from(tag, 'base64url').length !== 16) throw new Error('not a sealed secret');
    return { version, keyId, iv, tag, ciphertext };
  }
}

/**
 * What GCM authenticates beside the ciphertext. The key id always, so a value cannot be passed off
 * as sealed by another key; from v2 on also the version and the value's place, so neither a copy
 * to another place nor a relabelling as v1 (to escape the binding) opens.
 */
function additionalData(version: Version, keyId: string, context: SealContext): Buffer {
  return Buffer.from(version === 'v1' ? keyId : `v2\n${keyId}\n${context}`);
}

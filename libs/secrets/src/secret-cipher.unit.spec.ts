import { randomBytes } from 'node:crypto';
import { SecretCipher } from './secret-cipher';

describe('SecretCipher', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('seals so that the plaintext does not appear and opens it again', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const sealed = cipher.seal(secret);
    expect(sealed).not.toContain('MfKQ9r8G');
    expect(sealed.startsWith(`v1.${cipher.keyId}.`)).toBe(true);
    expect(cipher.open(sealed)).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    const cipher = new SecretCipher(randomBytes(32));
    expect(cipher.seal(secret)).not.toBe(cipher.seal(secret));
  });

  it('refuses a tampered ciphertext', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const parts = cipher.seal(secret).split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.open(parts.join('.'))).toThrow();
  });

  it('opens values sealed with a previous key after rotation', () => {
    const oldKey = randomBytes(32);
    const sealed = new SecretCipher(oldKey).seal(secret);
    const rotated = new SecretCipher(randomBytes(32), [oldKey]);
    expect(rotated.open(sealed)).toBe(secret);
    expect(() => new SecretCipher(randomBytes(32)).open(sealed)).toThrow(/no encryption key/);
  });
});

describe('SecretCipher key rotation', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  const keyC = randomBytes(32);

  /** A sealed value with one of its five parts replaced. */
  function withPart(sealed: string, index: number, change: (part: string) => string): string {
    const parts = sealed.split('.');
    parts[index] = change(parts[index]);
    return parts.join('.');
  }
  const flipFirstByte = (part: string) => {
    const bytes = Buffer.from(part, 'base64url');
    bytes[0] ^= 1;
    return bytes.toString('base64url');
  };

  it('always seals with the current key, and opens values sealed with any previous key', () => {
    const sealedA = new SecretCipher(keyA).seal(secret);
    const sealedC = new SecretCipher(keyC).seal('a bearer token');
    const rotated = new SecretCipher(keyB, [keyA, keyC]);
    expect(rotated.open(sealedA)).toBe(secret);
    expect(rotated.open(sealedC)).toBe('a bearer token');
    expect(SecretCipher.keyIdOf(rotated.seal(secret))).toBe(SecretCipher.idOf(keyB));
    expect(rotated.isCurrent(sealedA)).toBe(false);
    expect(rotated.isCurrent(rotated.seal(secret))).toBe(true);
  });

  it('round-trips a rotation: A → B re-sealed → B alone opens it, A no longer can', () => {
    const sealedA = new SecretCipher(keyA).seal(secret);
    const resealed = new SecretCipher(keyB, [keyA]).reseal(sealedA);
    expect(SecretCipher.keyIdOf(resealed)).toBe(SecretCipher.idOf(keyB));
    expect(resealed).not.toContain(sealedA.split('.')[4]);
    expect(new SecretCipher(keyB).open(resealed)).toBe(secret);
    expect(() => new SecretCipher(keyA).open(resealed)).toThrow(/no encryption key with id/);
  });

  it('fails with a clear error, naming the key id, for a value sealed with a key it does not have', () => {
    const sealed = new SecretCipher(keyA).seal(secret);
    expect(() => new SecretCipher(keyB, [keyC]).open(sealed)).toThrow(`no encryption key with id ${SecretCipher.idOf(keyA)} is configured`);
  });

  it.each([
    ['ciphertext', 4],
    ['authentication tag', 3],
    ['IV', 2],
  ])('refuses a value whose %s was altered, with an error and never a garbage value', (_, index) => {
    const cipher = new SecretCipher(keyB, [keyA]);
    const tampered = withPart(new SecretCipher(keyA).seal(secret), index, flipFirstByte);
    expect(() => cipher.open(tampered)).toThrow(/failed authentication/);
  });

  it('refuses a value relabelled with another known key id (the key id is authenticated)', () => {
    const cipher = new SecretCipher(keyB, [keyA]);
    const relabelled = withPart(new SecretCipher(keyA).seal(secret), 1, () => SecretCipher.idOf(keyB));
    expect(() => cipher.open(relabelled)).toThrow(/failed authentication/);
  });

  it('refuses a value forged under a known key id but sealed with another key', () => {
    // Sealed with C but claiming to be A's: the id is known, the key is wrong.
    const forged = withPart(new SecretCipher(keyC).seal(secret), 1, () => SecretCipher.idOf(keyA));
    expect(() => new SecretCipher(keyB, [keyA]).open(forged)).toThrow(/failed authentication/);
  });

  it.each([
    ['plaintext', secret],
    ['an unknown version', `v2${new SecretCipher(keyA).seal(secret).slice(2)}`],
    ['a missing part', new SecretCipher(keyA).seal(secret).split('.').slice(0, 4).join('.')],
    ['a truncated tag', withPart(new SecretCipher(keyA).seal(secret), 3, (tag) => tag.slice(0, 8))],
  ])('refuses %s as not a sealed secret', (_, value) => {
    expect(() => new SecretCipher(keyA).open(value)).toThrow('not a sealed secret');
  });

  it('refuses previous keys that are not 32 bytes', () => {
    expect(() => new SecretCipher(keyB, [randomBytes(16)])).toThrow(/previous encryption key must be 32 bytes/);
  });
});

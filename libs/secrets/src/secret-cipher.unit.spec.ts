import { randomBytes } from 'node:crypto';
import { sealUnbound } from '@hookledger/testing';
import { sealedAt } from './seal-context';
import { SecretCipher } from './secret-cipher';

const at = sealedAt.endpointSecret('ep_1');

describe('SecretCipher', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('seals so that the plaintext does not appear and opens it again', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const sealed = cipher.seal(secret, at);
    expect(sealed).not.toContain('MfKQ9r8G');
    expect(sealed.startsWith(`v2.${cipher.keyId}.`)).toBe(true);
    expect(cipher.open(sealed, at)).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    const cipher = new SecretCipher(randomBytes(32));
    expect(cipher.seal(secret, at)).not.toBe(cipher.seal(secret, at));
  });

  it('refuses a tampered ciphertext', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const parts = cipher.seal(secret, at).split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.open(parts.join('.'), at)).toThrow();
  });

  it('opens values sealed with a previous key after rotation', () => {
    const oldKey = randomBytes(32);
    const sealed = new SecretCipher(oldKey).seal(secret, at);
    const rotated = new SecretCipher(randomBytes(32), [oldKey]);
    expect(rotated.open(sealed, at)).toBe(secret);
    expect(() => new SecretCipher(randomBytes(32)).open(sealed, at)).toThrow(/no encryption key/);
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
    const sealedA = new SecretCipher(keyA).seal(secret, at);
    const sealedC = new SecretCipher(keyC).seal('a bearer token', at);
    const rotated = new SecretCipher(keyB, [keyA, keyC]);
    expect(rotated.open(sealedA, at)).toBe(secret);
    expect(rotated.open(sealedC, at)).toBe('a bearer token');
    expect(SecretCipher.keyIdOf(rotated.seal(secret, at))).toBe(SecretCipher.idOf(keyB));
    expect(rotated.isCurrent(sealedA)).toBe(false);
    expect(rotated.isCurrent(rotated.seal(secret, at))).toBe(true);
  });

  it('round-trips a rotation: A → B re-sealed → B alone opens it, A no longer can', () => {
    const sealedA = new SecretCipher(keyA).seal(secret, at);
    const resealed = new SecretCipher(keyB, [keyA]).reseal(sealedA, at);
    expect(SecretCipher.keyIdOf(resealed)).toBe(SecretCipher.idOf(keyB));
    expect(resealed).not.toContain(sealedA.split('.')[4]);
    expect(new SecretCipher(keyB).open(resealed, at)).toBe(secret);
    expect(() => new SecretCipher(keyA).open(resealed, at)).toThrow(/no encryption key with id/);
  });

  it('fails with a clear error, naming the key id, for a value sealed with a key it does not have', () => {
    const sealed = new SecretCipher(keyA).seal(secret, at);
    expect(() => new SecretCipher(keyB, [keyC]).open(sealed, at)).toThrow(`no encryption key with id ${SecretCipher.idOf(keyA)} is configured`);
  });

  it.each([
    ['ciphertext', 4],
    ['authentication tag', 3],
    ['IV', 2],
  ])('refuses a value whose %s was altered, with an error and never a garbage value', (_, index) => {
    const cipher = new SecretCipher(keyB, [keyA]);
    const tampered = withPart(new SecretCipher(keyA).seal(secret, at), index, flipFirstByte);
    expect(() => cipher.open(tampered, at)).toThrow(/failed authentication/);
  });

  it('refuses a value relabelled with another known key id (the key id is authenticated)', () => {
    const cipher = new SecretCipher(keyB, [keyA]);
    const relabelled = withPart(new SecretCipher(keyA).seal(secret, at), 1, () => SecretCipher.idOf(keyB));
    expect(() => cipher.open(relabelled, at)).toThrow(/failed authentication/);
  });

  it('refuses a value forged under a known key id but sealed with another key', () => {
    // Sealed with C but claiming to be A's: the id is known, the key is wrong.
    const forged = withPart(new SecretCipher(keyC).seal(secret, at), 1, () => SecretCipher.idOf(keyA));
    expect(() => new SecretCipher(keyB, [keyA]).open(forged, at)).toThrow(/failed authentication/);
  });

  it.each([
    ['plaintext', secret],
    ['an unknown version', `v3${new SecretCipher(keyA).seal(secret, at).slice(2)}`],
    ['a missing part', new SecretCipher(keyA).seal(secret, at).split('.').slice(0, 4).join('.')],
    ['a truncated tag', withPart(new SecretCipher(keyA).seal(secret, at), 3, (tag) => tag.slice(0, 8))],
  ])('refuses %s as not a sealed secret', (_, value) => {
    expect(() => new SecretCipher(keyA).open(value, at)).toThrow('not a sealed secret');
  });

  it('refuses previous keys that are not 32 bytes', () => {
    expect(() => new SecretCipher(keyB, [randomBytes(16)])).toThrow(/previous encryption key must be 32 bytes/);
  });
});

describe('SecretCipher binds a value to its row and column', () => {
  const key = randomBytes(32);
  const cipher = new SecretCipher(key);
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('opens a value only where it was sealed', () => {
    const sealed = cipher.seal(secret, sealedAt.endpointSecret('ep_x'));
    expect(cipher.open(sealed, sealedAt.endpointSecret('ep_x'))).toBe(secret);
    // Another row, another column of the same row, another table.
    expect(() => cipher.open(sealed, sealedAt.endpointSecret('ep_y'))).toThrow(/failed authentication.*copied from another row or column/);
    expect(() => cipher.open(sealed, sealedAt.endpointAuth('ep_x'))).toThrow(/failed authentication/);
    expect(() => cipher.open(sealed, sealedAt.idempotentAnswer('ep_x', ''))).toThrow(/failed authentication/);
  });

  it('tells composite row keys apart however their parts are cut', () => {
    const sealed = cipher.seal('{"secret":"whsec_x"}', sealedAt.idempotentAnswer('key:ak_1', 'a'));
    expect(() => cipher.open(sealed, sealedAt.idempotentAnswer('key:ak_1a', ''))).toThrow(/failed authentication/);
    expect(() => cipher.open(sealed, sealedAt.idempotentAnswer('key:ak_', '1a'))).toThrow(/failed authentication/);
  });

  it('still opens a value sealed before binding (v1), wherever it is, and re-seals it bound (v2)', () => {
    const legacy = sealUnbound(key, secret);
    expect(cipher.open(legacy, sealedAt.endpointSecret('ep_x'))).toBe(secret);
    expect(cipher.isCurrent(legacy)).toBe(false);
    const resealed = cipher.reseal(legacy, sealedAt.endpointSecret('ep_x'));
    expect(resealed.startsWith(`v2.${cipher.keyId}.`)).toBe(true);
    expect(cipher.isCurrent(resealed)).toBe(true);
    expect(cipher.open(resealed, sealedAt.endpointSecret('ep_x'))).toBe(secret);
    expect(() => cipher.open(resealed, sealedAt.endpointSecret('ep_y'))).toThrow(/failed authentication/);
  });

  it('refuses a bound value relabelled as v1 to escape its binding', () => {
    const sealed = cipher.seal(secret, sealedAt.endpointSecret('ep_x'));
    expect(() => cipher.open(`v1${sealed.slice(2)}`, sealedAt.endpointSecret('ep_y'))).toThrow(/failed authentication/);
  });
});

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

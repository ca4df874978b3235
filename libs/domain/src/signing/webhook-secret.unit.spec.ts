import { Webhook as StandardWebhook } from 'standardwebhooks';
import { generateSecret, parseSecret, validateSecret } from './webhook-secret';

describe('generateSecret', () => {
  it('is whsec_ + base64 of 32 random bytes by default', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSecret(secret)).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
    expect(validateSecret(secret)).toEqual({ valid: true });
  });

  it('allows 24 to 64 bytes', () => {
    expect(parseSecret(generateSecret(64))).toHaveLength(64);
    expect(() => generateSecret(16)).toThrow(RangeError);
  });
});

describe('parseSecret', () => {
  it('decodes the key the way the standardwebhooks library does', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const library = new StandardWebhook(secret) as unknown as { key: Uint8Array };
    expect(parseSecret(secret)).toEqual(Buffer.from(library.key));
    expect(parseSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual(parseSecret(secret));
  });

  it('refuses what is not base64 instead of decoding a different key', () => {
    expect(() => parseSecret('whsec_not*base64!')).toThrow();
    expect(() => parseSecret('whsec_')).toThrow();
  });
});

describe('validateSecret', () => {
  it.each([
    ['too short', 'whsec_AAAA', '16 to 256'],
    ['too long', `whsec_${'A'.repeat(252)}`, '16 to 256'],
    ['not base64', 'whsec_this-is-not_base64!!', 'base64'],
    ['unpadded base64', 'whsec_QUJDREVGR0hJSktMTU5PUA', 'base64'],
    ['fewer than 12 bytes', 'whsec_QUJDREVGR0hJSg==', 'at least 12 bytes'],
  ])('refuses a secret %s', (_, secret, reason) => {
    expect(validateSecret(secret)).toEqual({ valid: false, reason: expect.stringContaining(reason) });
  });

  it('accepts a user-given secret with or without the prefix', () => {
    expect(validateSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').valid).toBe(true);
    expect(validateSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').valid).toBe(true);
  });

  it('never repeats the secret in its reason', () => {
    const result = validateSecret('whsec_super$ecretValue!!');
    expect(!result.valid && result.reason).not.toContain('super');
  });
});

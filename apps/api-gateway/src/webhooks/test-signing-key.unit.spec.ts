import { generateSecret, publicKeyOf } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { testSigningKey } from './test-signing-key';

function refusal(run: () => unknown): { status: number; body: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemException) return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('testSigningKey', () => {
  it('signs with the given secret and never shows it', () => {
    const secret = generateSecret();
    for (const profile of ['standard', 'github', 'stripe', 'hmac-hex'] as const) expect(testSigningKey(profile, secret)).toEqual({ key: secret, shown: {} });
  });

  it('generates a whsec_ secret when none is given, and shows the one it signs with', () => {
    const generated = testSigningKey('github', undefined);
    expect(generated.key).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(generated.shown).toEqual({ secret: generated.key });
    expect(testSigningKey('github', undefined).key).not.toBe(generated.key);
  });

  it('refuses a secret an endpoint would refuse, with 400 naming secret and not repeating it', () => {
    for (const secret of ['short', 'whsec_not*base64*at*all!!', `whsec_${'A'.repeat(260)}`]) {
      const answer = refusal(() => testSigningKey('standard', secret));
      expect(answer).toEqual({ status: 400, body: expect.objectContaining({ errors: [{ field: 'secret', message: expect.stringMatching(/^secret must/) }] }) });
      expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
  });

  it('signs standard-ed25519 with a one-off key pair and shows only its public key', () => {
    const pair = testSigningKey('standard-ed25519', undefined);
    expect(pair.key).toMatch(/^whsk_/);
    expect(pair.shown).toEqual({ public_key: publicKeyOf(pair.key) });
    expect(refusal(() => testSigningKey('standard-ed25519', generateSecret()))).toMatchObject({
      status: 400, body: { errors: [{ field: 'secret', message: expect.stringContaining('omit secret and verify with the public_key') }] },
    });
  });
});

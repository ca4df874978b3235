import { generateSigningKeyPair } from './ed25519-keys';
import { signatureHeaders } from './signature-profiles';
import { generateSecret } from './webhook-secret';
import { verifyWebhook } from './webhook-verification';
import type { SignatureProfile } from '../endpoints/endpoint-options';

const now = new Date('2024-05-01T12:00:00Z');
const timestamp = now.getTime() / 1000;
const body = '{"id":"msg_3","type":"a.b","timestamp":"2024-05-01T12:00:00.000Z","data":{"a":1}}';
const signed = (profile: SignatureProfile, secrets: string[], at = timestamp) =>
  signatureHeaders(profile, { msgId: 'msg_3', eventType: 'a.b', timestamp: at, body, secrets });

describe('verifyWebhook', () => {
  const secret = generateSecret();
  const keys = generateSigningKeyPair();

  it.each(['standard', 'github', 'stripe', 'hmac-hex'] as const)('%s: accepts a genuine request and says which signature matched', (profile) => {
    expect(verifyWebhook(profile, { body, headers: signed(profile, [secret]), secret, now })).toMatchObject({ valid: true, matched: { position: 1 } });
  });

  it('standard-ed25519: accepts with the whpk_ public key, refuses the whsk_ key and a whsec_ secret', () => {
    const headers = signed('standard-ed25519', [keys.secretKey]);
    expect(verifyWebhook('standard-ed25519', { body, headers, secret: keys.publicKey, now })).toEqual({ valid: true, detail: expect.any(String), matched: { scheme: 'v1a', position: 1 } });
    expect(verifyWebhook('standard-ed25519', { body, headers, secret: keys.secretKey, now })).toMatchObject({ valid: false, reason: 'invalid_secret' });
    expect(verifyWebhook('standard-ed25519', { body, headers, secret, now })).toMatchObject({ valid: false, reason: 'no_matching_signature', detail: expect.stringContaining('whpk_') });
  });

  it('finds the key among the signatures of a rotation', () => {
    const headers = signed('standard', [generateSecret(), secret]);
    expect(verifyWebhook('standard', { body, headers, secret, now })).toMatchObject({ valid: true, matched: { scheme: 'v1', position: 2 } });
    const stripe = signed('stripe', [generateSecret(), secret]);
    expect(verifyWebhook('stripe', { body, headers: stripe, secret, now })).toMatchObject({ valid: true, matched: { position: 2 } });
  });

  it('reads header names in any case', () => {
    const headers = Object.fromEntries(Object.entries(signed('github', [secret])).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyWebhook('github', { body, headers, secret, now }).valid).toBe(true);
  });

  it.each([
    ['standard', 'header_missing', { 'webhook-signature': undefined }],
    ['standard', 'invalid_signature_format', { 'webhook-signature': 'garbage' }],
    ['standard', 'invalid_timestamp', { 'webhook-timestamp': 'soon' }],
    ['github', 'header_missing', { 'x-hub-signature-256': undefined }],
    ['github', 'invalid_signature_format', { 'x-hub-signature-256': 'sha1=abc' }],
    ['stripe', 'header_missing', { 'stripe-signature': undefined }],
    ['stripe', 'invalid_signature_format', { 'stripe-signature': 't=1,v0=abc' }],
    ['hmac-hex', 'invalid_signature_format', { 'x-webhook-signature': 'not-hex' }],
  ] as const)('%s: says %s', (profile, reason, change) => {
    const headers = { ...signed(profile, [secret]), ...change };
    expect(verifyWebhook(profile, { body, headers, secret, now })).toMatchObject({ valid: false, reason });
  });

  it.each(['standard', 'stripe', 'hmac-hex'] as const)('%s: says stale_timestamp or timestamp_in_future, and whether the signature itself matches', (profile) => {
    expect(verifyWebhook(profile, { body, headers: signed(profile, [secret], timestamp - 301), secret, now }))
      .toEqual({ valid: false, reason: 'stale_timestamp', detail: expect.stringMatching(/301 s old \(tolerance 300 s\); the \S+ signature at position 1 matches/) });
    expect(verifyWebhook(profile, { body, headers: signed(profile, [secret], timestamp + 301), secret, now }))
      .toMatchObject({ valid: false, reason: 'timestamp_in_future' });
    expect(verifyWebhook(profile, { body, headers: signed(profile, [secret], timestamp - 301), secret, now, toleranceSeconds: 600 }).valid).toBe(true);
  });

  it.each(['standard', 'github', 'stripe', 'hmac-hex'] as const)('%s: says no_matching_signature for another secret or an altered body', (profile) => {
    const headers = signed(profile, [secret]);
    expect(verifyWebhook(profile, { body, headers, secret: generateSecret(), now })).toMatchObject({ valid: false, reason: 'no_matching_signature' });
    expect(verifyWebhook(profile, { body: body.replace('1', '2'), headers, secret, now })).toMatchObject({ valid: false, reason: 'no_matching_signature' });
  });

  it('says invalid_secret for a key it cannot use, without repeating it', () => {
    const result = verifyWebhook('standard', { body, headers: signed('standard', [secret]), secret: 'whsec_not*base64!', now });
    expect(result).toMatchObject({ valid: false, reason: 'invalid_secret' });
    expect(JSON.stringify(result)).not.toContain('not*base64');
    expect(verifyWebhook('github', { body, headers: signed('github', [secret]), secret: keys.publicKey, now })).toMatchObject({ valid: false, reason: 'invalid_secret' });
  });
});

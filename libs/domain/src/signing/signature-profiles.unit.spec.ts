import { createHmac } from 'node:crypto';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { generateSigningKeyPair, verifyEd25519 } from './ed25519-keys';
import { signatureHeaders } from './signature-profiles';
import { generateSecret } from './webhook-secret';

const body = JSON.stringify({ id: 'msg_1', type: 'invoice.paid', timestamp: '2024-01-01T00:00:00.000Z', data: { amount: 1200, note: 'é ✓' } });
const now = () => Math.floor(Date.now() / 1000);
const input = (secrets: string[]) => ({ msgId: 'msg_1', eventType: 'invoice.paid', timestamp: now(), body, secrets });
const stripe = new Stripe('sk_test_x');

describe('signatureHeaders', () => {
  it('standard: Standard Webhooks headers the standardwebhooks library accepts', () => {
    const secret = generateSecret();
    const headers = signatureHeaders('standard', input([secret]));
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('standard-ed25519: a v1a signature of "id.timestamp.body" per key', () => {
    const [current, previous] = [generateSigningKeyPair(), generateSigningKeyPair()];
    const headers = signatureHeaders('standard-ed25519', input([current.secretKey, previous.secretKey]));
    const signatures = headers['webhook-signature'].split(' ').map((entry) => entry.split(','));
    expect(signatures.map(([version]) => version)).toEqual(['v1a', 'v1a']);
    const content = `msg_1.${headers['webhook-timestamp']}.${body}`;
    expect(verifyEd25519(current.publicKey, content, signatures[0][1])).toBe(true);
    expect(verifyEd25519(previous.publicKey, content, signatures[1][1])).toBe(true);
    expect(headers['webhook-id']).toBe('msg_1');
  });

  it('github: X-Hub-Signature-256 that @octokit/webhooks-methods verifies with the secret string', async () => {
    const secret = generateSecret();
    const headers = signatureHeaders('github', input([secret]));
    expect(headers).toMatchObject({ 'x-github-event': 'invoice.paid', 'x-github-delivery': 'msg_1', 'webhook-id': 'msg_1' });
    expect(await verifyGithub(secret, body, headers['x-hub-signature-256'])).toBe(true);
    expect(await verifyGithub(generateSecret(), body, headers['x-hub-signature-256'])).toBe(false);
  });

  it('github and hmac-hex: the oldest valid secret signs during a rotation, so receivers keep their old secret until it expires', async () => {
    const [newer, older] = [generateSecret(), generateSecret()];
    const github = signatureHeaders('github', input([newer, older]));
    expect(await verifyGithub(older, body, github['x-hub-signature-256'])).toBe(true);
    const hex = signatureHeaders('hmac-hex', input([newer, older]));
    expect(hex['x-webhook-signature']).toBe(createHmac('sha256', older).update(body).digest('hex'));
  });

  it('stripe: a Stripe-Signature with one v1 per secret that stripe.webhooks.constructEvent accepts for each', () => {
    const [newer, older] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders('stripe', input([newer, older]));
    expect(headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(body, headers['stripe-signature'], newer)).toEqual(JSON.parse(body));
    expect(stripe.webhooks.constructEvent(body, headers['stripe-signature'], older)).toEqual(JSON.parse(body));
    expect(() => stripe.webhooks.constructEvent(body, headers['stripe-signature'], generateSecret())).toThrow(/signature/i);
    expect(() => stripe.webhooks.constructEvent(body.replace('1200', '1201'), headers['stripe-signature'], newer)).toThrow();
    expect(headers['webhook-id']).toBe('msg_1');
  });

  it('hmac-hex: hex HMAC-SHA256 of the body keyed with the secret string, with event and timestamp headers', () => {
    const secret = generateSecret();
    const headers = signatureHeaders('hmac-hex', { ...input([secret]), timestamp: 1700000000 });
    expect(headers).toEqual({
      'webhook-id': 'msg_1',
      'x-webhook-event': 'invoice.paid',
      'x-webhook-timestamp': '1700000000',
      'x-webhook-signature': createHmac('sha256', secret).update(body).digest('hex'),
    });
  });

  it('signs a Standard Webhooks profile with both kinds of key after a rotation between them', () => {
    const [secret, keys] = [generateSecret(), generateSigningKeyPair()];
    const headers = signatureHeaders('standard', input([secret, keys.secretKey]));
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1a,\S+$/);
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('leaves out an Ed25519 key the HMAC profiles cannot use, and refuses when no HMAC secret is left', () => {
    const [secret, keys] = [generateSecret(), generateSigningKeyPair()];
    expect(signatureHeaders('stripe', input([secret, keys.secretKey]))['stripe-signature'].match(/v1=/g)).toHaveLength(1);
    expect(() => signatureHeaders('github', input([keys.secretKey]))).toThrow(/HMAC secret/);
  });
});

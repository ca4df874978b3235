import { createHmac } from 'node:crypto';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { generateSecret } from '../signing/webhook-secret';
import { hubSpotSignedUri, IncomingRequest, verifySourceRequest } from './source-verification';

const stripe = new Stripe('sk_test_x');
const now = new Date();
const seconds = Math.floor(now.getTime() / 1000);
const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: 1200, note: 'é ✓' } });
const request = (headers: Record<string, string>, fields: Partial<IncomingRequest> = {}): IncomingRequest =>
  ({ method: 'POST', uri: 'https://hooks.example.com/in/src_1', body, now, headers: lower(headers), ...fields });
const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

/** HubSpot v3 by hand, as developers.hubspot.com describes it. */
const hubspot = (secret: string, uri: string, timestampMs: number, method = 'POST', payload = body) => ({
  'X-HubSpot-Signature-v3': createHmac('sha256', secret).update(`${method}${uri}${payload}${timestampMs}`).digest('base64'),
  'X-HubSpot-Request-Timestamp': String(timestampMs),
});

describe('verifying GitHub (X-Hub-Signature-256)', () => {
  it('accepts what @octokit/webhooks-methods signs, refuses another secret or a missing header', async () => {
    const headers = { 'X-Hub-Signature-256': await signGithub('gh-secret', body) };
    expect(verifySourceRequest('github', request(headers), ['gh-secret'])).toEqual({ valid: true });
    expect(verifySourceRequest('github', request(headers), ['other'])).toEqual({ valid: false, detail: 'the signature does not match' });
    expect(verifySourceRequest('github', request({}), ['gh-secret'])).toMatchObject({ valid: false, detail: expect.stringMatching(/X-Hub-Signature-256/) });
  });

  it('accepts the old secret during a rotation (any secret in force)', async () => {
    const headers = { 'X-Hub-Signature-256': await signGithub('old-secret', body) };
    expect(verifySourceRequest('github', request(headers), ['new-secret', 'old-secret'])).toEqual({ valid: true });
  });
});

describe('verifying Stripe (Stripe-Signature)', () => {
  it('accepts the header stripe generates, refuses a stale one', () => {
    const secret = 'whsec_stripe_test_secret';
    const fresh = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: seconds });
    expect(verifySourceRequest('stripe', request({ 'Stripe-Signature': fresh }), [secret])).toEqual({ valid: true });
    const stale = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: seconds - 301 });
    expect(verifySourceRequest('stripe', request({ 'Stripe-Signature': stale }), [secret])).toEqual({ valid: false, detail: 'the signed timestamp is outside the 5-minute window' });
  });
});

describe('verifying Standard Webhooks', () => {
  it('accepts what standardwebhooks signs, refuses a stale timestamp and a changed body', () => {
    const secret = generateSecret();
    const sign = (at: Date) => {
      const signature = new StandardWebhook(secret).sign('msg_1', at, body);
      return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    };
    expect(verifySourceRequest('standard', request(sign(now)), [secret])).toEqual({ valid: true });
    expect(verifySourceRequest('standard', request(sign(new Date(now.getTime() - 301_000))), [secret])).toMatchObject({ valid: false, detail: expect.stringMatching(/window/) });
    expect(verifySourceRequest('standard', request(sign(now), { body: `${body} ` }), [secret])).toEqual({ valid: false, detail: 'the signature does not match' });
  });
});

describe('verifying HubSpot v3', () => {
  const secret = 'hubspot-client-secret';
  const uri = 'https://hooks.example.com/in/src_1?portal=42';

  it('signs method + URI + body + timestamp with the client secret', () => {
    expect(verifySourceRequest('hubspot', request(hubspot(secret, uri, now.getTime()), { uri }), [secret])).toEqual({ valid: true });
  });

  it('refuses another URI (a proxy\'s own host), another method, another secret', () => {
    const headers = hubspot(secret, uri, now.getTime());
    expect(verifySourceRequest('hubspot', request(headers, { uri: 'http://10.0.0.5:3000/in/src_1?portal=42' }), [secret])).toMatchObject({ valid: false });
    expect(verifySourceRequest('hubspot', request(headers, { uri, method: 'PUT' }), [secret])).toMatchObject({ valid: false });
    expect(verifySourceRequest('hubspot', request(headers, { uri }), ['other'])).toMatchObject({ valid: false });
  });

  it('refuses a timestamp older than five minutes, even correctly signed', () => {
    const old = now.getTime() - 5 * 60_000 - 1;
    expect(verifySourceRequest('hubspot', request(hubspot(secret, uri, old), { uri }), [secret])).toEqual({ valid: false, detail: 'the signed timestamp is outside the 5-minute window' });
  });

  it('decodes the escapes HubSpot decodes before signing', () => {
    expect(hubSpotSignedUri('https://h.example/in/src_1?a=b%3Ac%2Fd&e=%20f')).toBe('https://h.example/in/src_1?a=b:c/d&e=%20f');
    const encoded = 'https://hooks.example.com/in/src_1?next=%2Fhome';
    const headers = hubspot(secret, 'https://hooks.example.com/in/src_1?next=/home', now.getTime());
    expect(verifySourceRequest('hubspot', request(headers, { uri: encoded }), [secret])).toEqual({ valid: true });
  });

  it('refuses missing headers', () => {
    expect(verifySourceRequest('hubspot', request({}, { uri }), [secret])).toMatchObject({ valid: false, detail: expect.stringMatching(/X-HubSpot-Signature-v3/) });
  });
});

describe('verifying hmac-hex', () => {
  it('a hex HMAC of the body keyed with the secret string', () => {
    const signature = createHmac('sha256', 'hex-secret').update(body).digest('hex');
    expect(verifySourceRequest('hmac-hex', request({ 'X-Webhook-Signature': signature }), ['hex-secret'])).toEqual({ valid: true });
    expect(verifySourceRequest('hmac-hex', request({ 'X-Webhook-Signature': signature }), ['other'])).toMatchObject({ valid: false });
  });
});

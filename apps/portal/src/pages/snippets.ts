import type { SignatureProfile } from '../types';

/** How a receiver verifies our signature, per profile (docs/signing.md), in Node. */
export function verificationSnippet(profile: SignatureProfile): string {
  switch (profile) {
    case 'standard':
      return `// npm install standardwebhooks
const { Webhook } = require('standardwebhooks');
const wh = new Webhook(process.env.WEBHOOK_SECRET); // whsec_…
// body: the raw request body as a string; throws when the signature is wrong or too old
const event = wh.verify(body, headers);`;
    case 'standard-ed25519':
      return `const crypto = require('node:crypto');
const publicKey = process.env.WEBHOOK_PUBLIC_KEY; // whpk_…
const key = crypto.createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url') } });
const signed = Buffer.from(\`\${headers['webhook-id']}.\${headers['webhook-timestamp']}.\${body}\`);
const valid = headers['webhook-signature'].split(' ').some((entry) => {
  const [version, signature] = entry.split(',');
  return version === 'v1a' && crypto.verify(null, signed, key, Buffer.from(signature, 'base64'));
}); // and check that webhook-timestamp is recent`;
    case 'github':
      return `// npm install @octokit/webhooks-methods
const { verify } = await import('@octokit/webhooks-methods');
const valid = await verify(process.env.WEBHOOK_SECRET, body, headers['x-hub-signature-256']);`;
    case 'stripe':
      return `// npm install stripe
const Stripe = require('stripe');
const event = new Stripe('sk_…').webhooks.constructEvent(body, headers['stripe-signature'], process.env.WEBHOOK_SECRET);`;
    case 'hmac-hex':
      return `const crypto = require('node:crypto');
const expected = crypto.createHmac('sha256', process.env.WEBHOOK_SECRET).update(body).digest('hex');
const given = Buffer.from(headers['x-webhook-signature'] ?? '');
const valid = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(expected), given);`;
  }
}

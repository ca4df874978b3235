import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { generateSecret } from './webhook-secret';
import { generateSigningKeyPair, verifyEd25519 } from './ed25519-keys';
import { sign, webhookHeaders } from './webhook-signature';

describe('sign', () => {
  it('matches the Standard Webhooks published test vector', () => {
    const signature = sign({
      msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    });
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs the same with or without the whsec_ prefix', () => {
    const input = { msgId: 'msg_1', timestamp: 1614265330, body: '{}' };
    expect(sign({ ...input, secrets: ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] })).toBe(
      sign({ ...input, secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }),
    );
  });

  it('sends one space-separated signature per secret during a rotation', () => {
    const signature = sign({ msgId: 'msg_1', timestamp: 1, body: '{}', secrets: [generateSecret(), generateSecret()] });
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('signs a whsk_ key with Ed25519 as v1a, next to the v1 HMAC of a secret still in its grace period', () => {
    const keys = generateSigningKeyPair();
    const signature = sign({ msgId: 'msg_1', timestamp: 1614265330, body: '{}', secrets: [keys.secretKey, generateSecret()] });
    expect(signature).toMatch(/^v1a,[A-Za-z0-9+/]{86}== v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyEd25519(keys.publicKey, 'msg_1.1614265330.{}', signature.split(' ')[0].slice(4))).toBe(true);
  });

  it('refuses to sign without a secret or with a fractional timestamp', () => {
    expect(() => sign({ msgId: 'm', timestamp: 1, body: '', secrets: [] })).toThrow();
    expect(() => sign({ msgId: 'm', timestamp: 1.5, body: '', secrets: [generateSecret()] })).toThrow(RangeError);
  });
});

describe('webhookHeaders, as receivers verify them', () => {
  const body = JSON.stringify({ id: 'msg_2', type: 'invoice.paid', timestamp: '2024-01-01T00:00:00.000Z', data: { amount: 1200, note: 'é ✓' } });
  const now = () => Math.floor(Date.now() / 1000);

  it('is accepted by the standardwebhooks library', () => {
    const secret = generateSecret();
    const headers = webhookHeaders({ msgId: 'msg_2', timestamp: now(), body, secrets: [secret] });
    expect(new StandardWebhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is accepted by the svix library, for each secret of a rotation', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const headers = webhookHeaders({ msgId: 'msg_2', timestamp: now(), body, secrets: [oldSecret, newSecret] });
    expect(new SvixWebhook(oldSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new SvixWebhook(newSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new SvixWebhook(generateSecret()).verify(body, { ...headers })).toThrow();
  });

  it('is refused by the libraries when the body changed', () => {
    const secret = generateSecret();
    const headers = webhookHeaders({ msgId: 'msg_2', timestamp: now(), body, secrets: [secret] });
    expect(() => new StandardWebhook(secret).verify(body.replace('1200', '1201'), { ...headers })).toThrow();
  });
});

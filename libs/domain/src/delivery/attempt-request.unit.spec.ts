import { createHash } from 'node:crypto';
import { attemptRequest, isCredentialHeader, REDACTED, signatureHeaderOf } from './attempt-request';

const body = '{"id":"msg_1","type":"invoice.paid","data":{"amount":"€12"}}';
const sent = {
  'x-tenant-region': 'eu-west',
  'content-type': 'application/json',
  authorization: 'Bearer tok_live_0123456789',
  'webhook-id': 'msg_1',
  'webhook-timestamp': '1700000000',
  'webhook-signature': 'v1,c2lnbmF0dXJl',
  'user-agent': 'Hookledger/1.0.0',
};

describe('the request record of an attempt', () => {
  it('keeps every header sent, the signature header among them, and redacts authorization', () => {
    const request = attemptRequest({ headers: sent, body, signatureProfile: 'standard', credentials: ['tok_live_0123456789', 'whsec_c2VjcmV0c2VjcmV0'] });
    expect(request).toEqual({
      method: 'POST',
      headers: { ...sent, authorization: REDACTED },
      body_sha256: createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex'),
      signature: { header: 'webhook-signature', value: 'v1,c2lnbmF0dXJl' },
    });
    expect(JSON.stringify(request)).not.toContain('tok_live_0123456789');
  });

  it('redacts basic auth, credential-named custom headers, auth schemes and any value holding a credential, whatever the header is called', () => {
    const { headers } = attemptRequest({
      headers: {
        Authorization: 'Basic dXNlcjpwYXNzd29yZA==', 'X-Api-Key': 'k1', 'X-Auth-Token': 't1', 'X-Client-Secret': 's1', Cookie: 'sid=1',
        'X-Forwarded-Credential': 'Bearer abc', 'X-Note': 'see whsec_c2VjcmV0c2VjcmV0', 'X-Copy': 'prefix-hunter2-suffix', 'X-Plain': 'hello',
      },
      body,
      signatureProfile: 'standard',
      credentials: ['hunter2'],
    });
    expect(headers).toEqual({
      Authorization: REDACTED, 'X-Api-Key': REDACTED, 'X-Auth-Token': REDACTED, 'X-Client-Secret': REDACTED, Cookie: REDACTED,
      'X-Forwarded-Credential': REDACTED, 'X-Note': REDACTED, 'X-Copy': REDACTED, 'X-Plain': 'hello',
    });
  });

  it.each([
    ['github', 'x-hub-signature-256', 'sha256=ab12'],
    ['stripe', 'stripe-signature', 't=1700000000,v1=ab12'],
    ['hmac-hex', 'x-webhook-signature', 'ab12'],
    ['standard-ed25519', 'webhook-signature', 'v1a,c2ln'],
  ] as const)('the %s profile: the signature is its %s header', (profile, header, value) => {
    expect(signatureHeaderOf(profile)).toBe(header);
    expect(attemptRequest({ headers: { [header]: value, 'content-type': 'application/json' }, body, signatureProfile: profile, credentials: [] }).signature)
      .toEqual({ header, value });
  });

  it('without a signature header sent, the signature is null; the digest is of the bytes as UTF-8', () => {
    const request = attemptRequest({ headers: { 'content-type': 'application/json' }, body: '"é"', signatureProfile: 'standard', credentials: [] });
    expect(request.signature).toBeNull();
    expect(request.body_sha256).toBe(createHash('sha256').update(Buffer.from([0x22, 0xc3, 0xa9, 0x22])).digest('hex'));
  });

  it('names credential headers by name, not by a signature or an id', () => {
    expect(['authorization', 'Proxy-Authorization', 'x-api-key', 'X_SESSION_ID', 'x-access-key'].every(isCredentialHeader)).toBe(true);
    expect(['webhook-signature', 'x-request-id', 'x-tenant', 'content-type'].some(isCredentialHeader)).toBe(false);
  });
});

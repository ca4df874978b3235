import { isCredentialHeader, isReservedHeader, refuseCredentialHeaders } from './custom-headers';

describe('custom endpoint headers', () => {
  it.each(['Authorization', 'PROXY-AUTHORIZATION', 'cookie', 'X-Api-Key', 'x_api_key', 'Api-Key', 'X-Auth-Token', 'X-Client-Secret', 'X-Access-Key', 'X-Session-Token', 'X-Password'])(
    '%s is a credential header', (name) => expect(isCredentialHeader(name)).toBe(true));

  it.each(['X-Tenant', 'X-Trace', 'X-Author', 'X-Tokenizer-Version', 'Accept-Language', 'X-Request-Id'])(
    '%s is not a credential header', (name) => expect(isCredentialHeader(name)).toBe(false));

  it.each(['Host', 'content-type', 'User-Agent', 'webhook-id', 'Webhook-Future-Header', 'stripe-signature'])(
    '%s is reserved for the dispatcher or HTTP', (name) => expect(isReservedHeader(name)).toBe(true));

  it('refuses the credential header with a 422 that names it and points to auth', () => {
    expect(() => refuseCredentialHeaders({ 'X-Tenant': 'a' })).not.toThrow();
    expect(() => refuseCredentialHeaders(undefined)).not.toThrow();
    try {
      refuseCredentialHeaders({ 'X-Tenant': 'a', 'X-Api-Key': 'k_live_123' });
      throw new Error('not refused');
    } catch (error) {
      const answer = error as { getStatus(): number; getResponse(): { detail: string } };
      expect(answer.getStatus()).toBe(422);
      expect(answer.getResponse().detail).toMatch(/^headers\.X-Api-Key: .*put credentials in auth/);
      expect(JSON.stringify(answer.getResponse())).not.toContain('k_live_123');
    }
  });
});

import { TestSystem } from '@hookledger/testing';

/** Issue 11 point 4: a portal token handed to a customer can be taken back at once, by its own tenant only. */
describe('revoking portal tokens', () => {
  let system: TestSystem;
  const admins: Record<'acme' | 'globex', string> = { acme: '', globex: '' };

  beforeAll(async () => {
    system = await TestSystem.start({ apps: ['api-gateway'] });
    for (const tenant of ['acme', 'globex'] as const) {
      expect((await system.request('POST', '/v1/tenants', { body: { id: tenant, name: tenant } })).status).toBe(201);
      const key = await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: tenant, name: `${tenant} admin` } });
      expect(key.status).toBe(201);
      admins[tenant] = key.body.key;
    }
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('revokes a portal token with DELETE /v1/api-keys/:id: the very next request with it gets 401', async () => {
    const issued = await system.request('POST', '/v1/tenants/acme/portal-token', { body: {}, key: admins.acme });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ id: expect.stringMatching(/^key_/), token: expect.stringMatching(/^hlp_/), tenant_id: 'acme' });
    const { id, token } = issued.body as { id: string; token: string };
    expect((await system.request('GET', '/v1/endpoints', { key: token })).status).toBe(200);

    const shown = await system.request('GET', `/v1/api-keys/${id}`, { key: admins.acme });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id, role: 'portal', tenant_id: 'acme', revoked_at: null, prefix: token.slice(0, shown.body.prefix.length) });
    expect(JSON.stringify(shown.body)).not.toContain(token);

    expect((await system.request('DELETE', `/v1/api-keys/${id}`, { key: admins.acme })).status).toBe(204);
    const refused = await system.request('GET', '/v1/endpoints', { key: token });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toContain('not valid');
    expect((await system.request('GET', `/v1/api-keys/${id}`, { key: admins.acme })).body.revoked_at).not.toBeNull();
    // Revoking twice changes nothing.
    expect((await system.request('DELETE', `/v1/api-keys/${id}`, { key: admins.acme })).status).toBe(204);

    const trail = await system.request('GET', `/v1/audit/events?stream_id=api-key-${id}`);
    expect((trail.body.data as { type: string }[]).map((event) => event.type).reverse()).toEqual(['ApiKeyCreated', 'ApiKeyRevoked']);
  });

  it("answers another tenant's admin 404 for a portal token, as for an id that does not exist, and leaves the token working", async () => {
    const issued = await system.request('POST', '/v1/tenants/acme/portal-token', { body: {}, key: admins.acme });
    const { id, token } = issued.body as { id: string; token: string };

    const revoke = await system.request('DELETE', `/v1/api-keys/${id}`, { key: admins.globex });
    expect(revoke.status).toBe(404);
    const missing = await system.request('DELETE', '/v1/api-keys/key_doesnotexist', { key: admins.globex });
    expect(JSON.stringify(revoke.body)).toBe(JSON.stringify(missing.body).replaceAll('key_doesnotexist', id));
    expect((await system.request('GET', `/v1/api-keys/${id}`, { key: admins.globex })).status).toBe(404);

    expect((await system.request('GET', '/v1/endpoints', { key: token })).status).toBe(200);
    expect((await system.request('GET', `/v1/api-keys/${id}`)).body.revoked_at).toBeNull();
  });

  it('lets the operator revoke any tenant\'s portal token', async () => {
    const issued = await system.request('POST', '/v1/tenants/globex/portal-token', { body: {}, key: admins.globex });
    expect((await system.request('DELETE', `/v1/api-keys/${issued.body.id}`)).status).toBe(204);
    expect((await system.request('GET', '/v1/endpoints', { key: issued.body.token })).status).toBe(401);
  });
});

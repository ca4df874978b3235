import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const CSP_WITHOUT_FRAMING = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'";

/** The fields a problem names, each once (a field can fail several rules). */
const fieldsOf = (problem: { errors?: { field: string }[] }) => [...new Set((problem.errors ?? []).map((error) => error.field))];

/** Issue 15: what the customer portal needs from the server — links, the session, branding, health over time, and /portal itself. */
describe('the customer portal, server side', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let build: string;
  let acmeAdmin: string;

  beforeAll(async () => {
    // A stand-in for the portal's webpack build: index.html and a hashed script.
    build = mkdtempSync(join(tmpdir(), 'portal-build-'));
    writeFileSync(join(build, 'index.html'), '<!doctype html><title>portal</title><script src="/portal/main.3f2a1c.js"></script>');
    writeFileSync(join(build, 'main.3f2a1c.js'), 'console.log("portal")');
    mkdirSync(join(build, 'assets'));
    writeFileSync(join(build, 'assets', 'app.9b8c.css'), 'body{}');
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({ env: { HOOKS_PORTAL_DIR: build, HOOKS_PUBLIC_URL: 'https://hooks.example.test/base' } });
    for (const tenant of ['acme', 'globex']) {
      expect((await system.request('POST', '/v1/tenants', { body: { id: tenant, name: tenant } })).status).toBe(201);
    }
    acmeAdmin = (await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: 'acme', name: 'acme admin' } })).body.key;
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
    rmSync(build, { recursive: true, force: true });
  });

  describe('portal links', () => {
    it('answers a link carrying a portal token in the fragment of HOOKS_PUBLIC_URL/portal/, shown once', async () => {
      const link = await system.request('POST', '/v1/tenants/acme/portal-link', { body: { expires_in_s: 600 }, key: acmeAdmin });
      expect(link.status).toBe(201);
      expect(link.body).toEqual({ id: expect.stringMatching(/^key_/), url: expect.any(String), token: expect.stringMatching(/^hlp_/), expires_at: expect.any(String) });
      expect(link.body.url).toBe(`https://hooks.example.test/base/portal/#token=${link.body.token}`);
      const lifetime = Date.parse(link.body.expires_at) - Date.now();
      expect(lifetime).toBeGreaterThan(500_000);
      expect(lifetime).toBeLessThanOrEqual(600_000);
      const key = await system.request('GET', `/v1/api-keys/${link.body.id}`, { key: acmeAdmin });
      expect(key.body).toMatchObject({ role: 'portal', tenant_id: 'acme', revoked_at: null });
      expect(JSON.stringify(key.body)).not.toContain(link.body.token);
    });

    it('refuses a lifetime out of bounds, and another tenant\'s admin as for a tenant that does not exist', async () => {
      const tooShort = await system.request('POST', '/v1/tenants/acme/portal-link', { body: { expires_in_s: 30 } });
      expect(tooShort.status).toBe(400);
      expect(tooShort.body.errors).toEqual([{ field: 'expires_in_s', message: 'expires_in_s must be at least 60' }]);
      expect((await system.request('POST', '/v1/tenants/globex/portal-link', { body: {}, key: acmeAdmin })).status).toBe(404);
    });

    it('replays the same link for a retry with the same Idempotency-Key', async () => {
      const headers = { 'Idempotency-Key': 'portal-link-once' };
      const first = await system.request('POST', '/v1/tenants/acme/portal-link', { body: {}, headers });
      const again = await system.request('POST', '/v1/tenants/acme/portal-link', { body: {}, headers });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it('is revoked at once by DELETE /v1/api-keys/:id: the token in the URL gets 401 problem+json', async () => {
      const link = await system.request('POST', '/v1/tenants/acme/portal-link', { body: {}, key: acmeAdmin });
      const token = new URL(link.body.url).hash.replace('#token=', '');
      expect((await system.request('GET', '/v1/portal/session', { key: token })).status).toBe(200);
      expect((await system.request('DELETE', `/v1/api-keys/${link.body.id}`, { key: acmeAdmin })).status).toBe(204);
      const refused = await system.request('GET', '/v1/portal/session', { key: token });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((await system.request('GET', '/v1/endpoints', { key: token })).status).toBe(401);
    });
  });

  describe('session and branding', () => {
    it("tells a portal token its tenant, expiry and the tenant's branding, set and cleared field by field", async () => {
      const link = await system.request('POST', '/v1/tenants/acme/portal-link', { body: {} });
      const unbranded = await system.request('GET', '/v1/portal/session', { key: link.body.token });
      expect(unbranded.body).toEqual({
        tenant_id: 'acme', key_id: link.body.id, role: 'portal', expires_at: link.body.expires_at, branding: { name: null, logo_url: null, accent_color: null },
      });

      const look = { name: 'Acme Webhooks', logo_url: 'https://cdn.acme.test/logo.svg', accent_color: '#0a7cff' };
      const patched = await system.request('PATCH', '/v1/tenants/acme', { body: { branding: look } });
      expect(patched.status).toBe(200);
      expect(patched.body.branding).toEqual(look);
      expect((await system.request('GET', '/v1/portal/session', { key: link.body.token })).body.branding).toEqual(look);

      const cleared = await system.request('PATCH', '/v1/tenants/acme', { body: { branding: { logo_url: null, accent_color: '#000000' } } });
      expect(cleared.body.branding).toEqual({ name: 'Acme Webhooks', logo_url: null, accent_color: '#000000' });
      expect((await system.request('GET', '/v1/tenants/acme')).body.branding).toEqual(cleared.body.branding);
    });

    it('takes branding on create, and shows the operator key its own session without a tenant', async () => {
      const created = await system.request('POST', '/v1/tenants', { body: { id: 'initech', name: 'Initech', branding: { name: 'Initech Hooks' } } });
      expect(created.status).toBe(201);
      expect(created.body.branding).toEqual({ name: 'Initech Hooks', logo_url: null, accent_color: null });
      const session = await system.request('GET', '/v1/portal/session');
      expect(session.body).toEqual({ tenant_id: null, key_id: 'admin', role: 'admin', expires_at: null, branding: { name: null, logo_url: null, accent_color: null } });
    });

    it('refuses branding the portal cannot show, naming the field', async () => {
      const refused = async (branding: unknown, status: number, field: string) => {
        const answer = await system.request('PATCH', '/v1/tenants/acme', { body: { branding } });
        expect({ status: answer.status, fields: fieldsOf(answer.body) }).toEqual({ status, fields: [field] });
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      };
      await refused({ name: 'x'.repeat(81) }, 400, 'branding.name');
      await refused({ accent_color: 'blue' }, 400, 'branding.accent_color');
      await refused({ accent_color: '#12345' }, 400, 'branding.accent_color');
      await refused({ logo_url: 'javascript:alert(1)' }, 400, 'branding.logo_url');
      await refused({ logo_url: `https://cdn.acme.test/${'x'.repeat(2048)}` }, 400, 'branding.logo_url');
      await refused({ colour: '#000000' }, 400, 'branding.colour');
      await refused('blue', 400, 'branding');
      expect((await system.request('GET', '/v1/tenants/acme')).body.branding).toEqual({ name: 'Acme Webhooks', logo_url: null, accent_color: '#000000' });
    });
  });

  describe('health over time', () => {
    it('counts attempts, successes and latency per bucket, empty buckets included, for a portal token of the tenant', async () => {
      receiver.answer('/series', (_request, count) => (count <= 2 ? { status: 200 } : { status: 500 }));
      const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/series'), tenant_id: 'acme', event_types: ['series.tick'], retry_schedule: [] } });
      expect(endpoint.status).toBe(201);
      // Two hours in four buckets of 30 min: the attempts (now) fall in the third.
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const until = new Date(Date.parse(since) + 7_200_000).toISOString();
      for (let n = 0; n < 3; n++) {
        expect((await system.request('POST', '/v1/events', { body: { type: 'series.tick', tenant_id: 'acme', data: { n } } })).status).toBe(202);
      }
      const token = (await system.request('POST', '/v1/tenants/acme/portal-link', { body: {} })).body.token;
      const path = `/v1/endpoints/${endpoint.body.id}/health/series?since=${since}&until=${until}&buckets=4`;
      const series = await eventually(async () => {
        const answer = await system.request('GET', path, { key: token });
        const requests = (answer.body.points as { requests: number }[] | undefined)?.reduce((sum, point) => sum + point.requests, 0);
        return requests === 3 ? answer : undefined;
      }, 'three attempts in the series');
      expect(series.status).toBe(200);
      expect(series.body).toEqual({ endpoint_id: endpoint.body.id, since, until, bucket_seconds: 1800, points: expect.any(Array) });
      const empty = { requests: 0, successes: 0, failures: 0, success_rate: null, latency_ms: { p50: null, p95: null } };
      const startOf = (bucket: number) => new Date(Date.parse(since) + bucket * 1_800_000).toISOString();
      const [first, second, third, fourth] = series.body.points;
      expect(series.body.points).toHaveLength(4);
      expect([first, second, fourth]).toEqual([{ start: startOf(0), ...empty }, { start: startOf(1), ...empty }, { start: startOf(3), ...empty }]);
      expect(third).toMatchObject({ start: startOf(2), requests: 3, successes: 2, failures: 1, success_rate: 2 / 3 });
      expect(third.latency_ms.p50).toEqual(expect.any(Number));
      expect(third.latency_ms.p95).toBeGreaterThanOrEqual(third.latency_ms.p50);

      const defaults = await system.request('GET', `/v1/endpoints/${endpoint.body.id}/health/series`, { key: token });
      expect(defaults.body).toMatchObject({ bucket_seconds: 3600 });
      expect(defaults.body.points).toHaveLength(24);
      expect(Date.parse(defaults.body.until) - Date.parse(defaults.body.since)).toBe(86_400_000);
    });

    it("answers another tenant's key 404 as for an endpoint that does not exist, and bad parameters 400 naming them", async () => {
      const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/series-globex'), tenant_id: 'globex' } });
      const acmeToken = (await system.request('POST', '/v1/tenants/acme/portal-link', { body: {} })).body.token;
      const other = await system.request('GET', `/v1/endpoints/${endpoint.body.id}/health/series`, { key: acmeToken });
      const missing = await system.request('GET', '/v1/endpoints/ep_missing/health/series', { key: acmeToken });
      expect(other.status).toBe(404);
      expect(JSON.stringify(other.body)).toBe(JSON.stringify(missing.body).replaceAll('ep_missing', endpoint.body.id));

      const bad = async (query: string, field: string) => {
        const answer = await system.request('GET', `/v1/endpoints/${endpoint.body.id}/health/series?${query}`);
        expect({ query, status: answer.status, fields: fieldsOf(answer.body) }).toEqual({ query, status: 400, fields: [field] });
      };
      await bad('buckets=0', 'buckets');
      await bad('buckets=97', 'buckets');
      await bad('buckets=many', 'buckets');
      await bad('since=yesterday', 'since');
      await bad('until=2026-13-01T00:00:00Z', 'until');
      await bad('since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'until');
      await bad('since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'since');
    });
  });

  describe('/portal', () => {
    const get = (path: string) => fetch(`${system.apiUrl}${path}`, { redirect: 'manual' });

    it('serves the app with a strict policy that forbids framing by default, index.html never cached', async () => {
      const page = await get('/portal/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('main.3f2a1c.js');
      expect(page.headers.get('content-security-policy')).toBe(`${CSP_WITHOUT_FRAMING}; frame-ancestors 'none'`);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('cache-control')).toBe('no-store');
    });

    it('redirects /portal to /portal/ and answers the app\'s own routes with index.html', async () => {
      const bare = await get('/portal');
      expect(bare.status).toBe(301);
      // Relative, so it keeps a proxy's path prefix.
      expect(bare.headers.get('location')).toBe('portal/');
      expect(new URL(bare.headers.get('location')!, 'https://hooks.example.test/base/portal').pathname).toBe('/base/portal/');
      for (const route of ['/portal/endpoints', '/portal/endpoints/ep_123/deliveries?status=failed']) {
        const page = await get(route);
        expect({ route, status: page.status, cache: page.headers.get('cache-control') }).toEqual({ route, status: 200, cache: 'no-store' });
        expect(await page.text()).toContain('main.3f2a1c.js');
      }
    });

    it('serves hashed assets for good, and a missing asset 404 problem+json, never index.html', async () => {
      const script = await get('/portal/main.3f2a1c.js');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await get('/portal/assets/app.9b8c.css')).headers.get('content-type')).toContain('text/css');
      const missing = await get('/portal/main.000000.js');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect((await get('/portal/..%2f..%2fetc%2fpasswd.txt')).status).not.toBe(200);
    });

    it('is public (no key), and answers nothing but GET and HEAD', async () => {
      expect((await fetch(`${system.apiUrl}/portal/`, { method: 'HEAD' })).status).toBe(200);
      const post = await fetch(`${system.apiUrl}/portal/`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    });

    it('keeps tokens out of the logs after a portal visit and its API calls', async () => {
      const link = await system.request('POST', '/v1/tenants/acme/portal-link', { body: {} });
      // What the browser sends: the path without the fragment (behind the proxy HOOKS_PUBLIC_URL names), then API calls with the token as a bearer.
      expect((await get(new URL(link.body.url).pathname.replace(/^\/base/, ''))).status).toBe(200);
      await system.request('GET', '/v1/portal/session', { key: link.body.token });
      await system.request('GET', '/v1/endpoints', { key: link.body.token });
      await system.request('GET', '/v1/endpoints/ep_missing/health/series', { key: link.body.token });
      await system.request('DELETE', `/v1/api-keys/${link.body.id}`);
      await system.request('GET', '/v1/portal/session', { key: link.body.token });
      await system.request('GET', '/v1/portal/session', { key: `${link.body.token}x` });
      expect(system.logs('api-gateway')).toContain('api-gateway started');
      expect(system.logs()).not.toContain(link.body.token.slice(4));
    });
  });
});

describe('/portal embedded by a customer app, in an installation built without it', () => {
  let system: TestSystem;

  beforeAll(async () => {
    const empty = join(tmpdir(), `portal-missing-${process.pid}`);
    system = await TestSystem.start({
      apps: ['api-gateway'],
      env: { HOOKS_PORTAL_DIR: empty, HOOKS_PORTAL_FRAME_ANCESTORS: 'https://app.example.com https://*.example.com' },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers 503 problem+json saying how to build it, with the configured frame-ancestors and no X-Frame-Options', async () => {
    const page = await fetch(`${system.apiUrl}/portal/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toContain('application/problem+json');
    expect(((await page.json()) as { detail: string }).detail).toContain('npm run build');
    expect(page.headers.get('content-security-policy')).toBe(`${CSP_WITHOUT_FRAMING}; frame-ancestors https://app.example.com https://*.example.com`);
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect((await fetch(`${system.apiUrl}/portal/endpoints`)).status).toBe(503);
  });
});

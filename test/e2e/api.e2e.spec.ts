import { TestSystem } from '@hookledger/testing';

describe('REST API, end to end', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ apps: ['api-gateway'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const expectProblem = (answer: { status: number; headers: Headers; body: Record<string, unknown> }, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toMatch(/\bat \S+\.(ts|js):\d+/); // never a stack trace
  };

  describe('authentication', () => {
    it('answers 401 problem+json without a key, with a malformed header and with a wrong key', async () => {
      expectProblem(await system.request('GET', '/v1/endpoints', { key: null }), 401);
      expectProblem(await system.request('GET', '/v1/endpoints', { key: null, headers: { authorization: 'Basic abc' } }), 401);
      const wrong = await system.request('POST', '/v1/events', { key: 'not-the-admin-key-at-all', body: { type: 'a.b', data: {} } });
      expectProblem(wrong, 401);
      expect(wrong.body.detail).toMatch(/not valid/);
    });

    it('lets health, metrics and the OpenAPI document through without a key', async () => {
      expect((await system.request('GET', '/health', { key: null })).status).toBe(200);
      expect((await system.request('GET', '/metrics', { key: null })).body).toContain('process_cpu_user_seconds_total');
      const openapi = await system.request('GET', '/openapi.json', { key: null });
      expect(openapi.status).toBe(200);
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining([
        '/v1/event-types', '/v1/endpoints', '/v1/endpoints/{id}', '/v1/events', '/v1/events/batch', '/v1/events/{id}',
        '/v1/deliveries', '/v1/deliveries/{id}', '/v1/deliveries/{id}/attempts', '/health',
      ]));
      expect((await fetch(`${system.apiUrl}/docs`)).status).toBe(200);
    });
  });

  describe('bad input', () => {
    it('answers broken JSON with 400 problem+json', async () => {
      const answer = await system.request('POST', '/v1/events', { rawBody: '{"type": "a.b", "data": ' });
      expectProblem(answer, 400);
      expect(answer.body.detail).toMatch(/JSON/);
    });

    it('names every missing or wrong field', async () => {
      const missing = await system.request('POST', '/v1/events', { body: {} });
      expectProblem(missing, 400);
      const fields = (missing.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['type', 'data']));

      const wrong = await system.request('POST', '/v1/events', { body: { type: 'no spaces allowed', data: [1, 2] } });
      expectProblem(wrong, 400);
      expect(wrong.body.errors).toEqual(expect.arrayContaining([
        expect.objectContaining({ field: 'type' }),
        expect.objectContaining({ field: 'data', message: 'data must be a JSON object' }),
      ]));

      const extra = await system.request('POST', '/v1/events', { body: { type: 'a.b', data: {}, surprise: true } });
      expectProblem(extra, 400);
      expect(extra.body.errors).toEqual([expect.objectContaining({ field: 'surprise' })]);
    });

    it('names the failing element of a batch', async () => {
      const answer = await system.request('POST', '/v1/events/batch', { body: { events: [{ type: 'ok.one', data: {} }, { type: 'ok.two' }] } });
      expectProblem(answer, 400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'events.1.data' })]);
    });

    it('refuses a body that is not JSON with 415', async () => {
      expectProblem(await system.request('POST', '/v1/events', { rawBody: 'type=a.b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    });

    it('validates endpoints: URL, description length, event type patterns, secret, timeout, headers', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ url: 'not a url' }, 'url'],
        [{ url: 'ftp://example.com/x' }, 'url'],
        [{ url: 'https://example.com', description: 'x'.repeat(501) }, 'description'],
        [{ url: 'https://example.com', event_types: ['invoice.*.paid'] }, 'event_types'],
        [{ url: 'https://example.com', secret: 'short' }, 'secret'],
        [{ url: 'https://example.com', secret: 'whsec_not*base64*at*all!!' }, 'secret'],
        [{ url: 'https://example.com', timeout_ms: 100 }, 'timeout_ms'],
        [{ url: 'https://example.com', retry_schedule: [-1] }, 'retry_schedule'],
        [{ url: 'https://example.com', headers: { 'webhook-signature': 'forged' } }, 'headers'],
      ];
      for (const [body, field] of cases) {
        const answer = await system.request('POST', '/v1/endpoints', { body });
        expectProblem(answer, 400);
        expect((answer.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
    });

    it('answers unknown resources with 404 problem+json', async () => {
      expectProblem(await system.request('GET', '/v1/endpoints/ep_nope'), 404);
      expectProblem(await system.request('GET', '/v1/deliveries/dlv_nope'), 404);
      expectProblem(await system.request('GET', '/v1/deliveries/dlv_nope/attempts'), 404);
      expectProblem(await system.request('GET', '/v1/events/msg_nope'), 404);
      expectProblem(await system.request('GET', '/v1/no-such-route'), 404);
      expectProblem(await system.request('GET', '/v1/deliveries?cursor=garbage'), 400);
      expectProblem(await system.request('GET', '/v1/deliveries?status=lost'), 400);
      expectProblem(await system.request('GET', '/v1/deliveries?limit=251'), 400);
    });
  });

  describe('endpoints', () => {
    it('generates a whsec_ secret shown only in the create answer, or keeps a given one', async () => {
      const created = await system.request('POST', '/v1/endpoints', { body: { url: 'https://example.com/hooks', event_types: ['invoice.*'] } });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
      expect(created.body).toMatchObject({ id: expect.stringMatching(/^ep_/), active: true, event_types: ['invoice.*'], description: '' });

      const fetched = await system.request('GET', `/v1/endpoints/${created.body.id}`);
      expect(fetched.body).not.toHaveProperty('secret');
      expect(JSON.stringify(fetched.body)).not.toContain(created.body.secret.slice(6));
      const listed = await system.request('GET', '/v1/endpoints');
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret.slice(6));

      const given = 'whsec_' + Buffer.from('a customer-chosen secret!').toString('base64');
      const withSecret = await system.request('POST', '/v1/endpoints', { body: { url: 'https://example.com/own', secret: given } });
      expect(withSecret.body.secret).toBe(given);
    });

    it('updates, lists with cursor pagination and deletes', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const created = await system.request('POST', '/v1/endpoints', { body: { url: `https://example.com/page/${i}`, metadata: { i: String(i) } } });
        ids.push(created.body.id);
      }
      const patched = await system.request('PATCH', `/v1/endpoints/${ids[0]}`, {
        body: { description: 'billing hooks', active: false, retry_schedule: [10, 60], timeout_ms: 5000, headers: { 'x-team': 'billing' } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ description: 'billing hooks', active: false, retry_schedule: [10, 60], timeout_ms: 5000, headers: { 'x-team': 'billing' } });
      expectProblem(await system.request('PATCH', `/v1/endpoints/${ids[0]}`, { body: { secret: 'whsec_' + 'A'.repeat(40) } }), 400);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await system.request('GET', `/v1/endpoints?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((e) => e.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect([...seen].sort().reverse()).toEqual(seen); // newest first, stable

      expect((await system.request('DELETE', `/v1/endpoints/${ids[1]}`)).status).toBe(204);
      expectProblem(await system.request('GET', `/v1/endpoints/${ids[1]}`), 404);
      expectProblem(await system.request('DELETE', `/v1/endpoints/${ids[1]}`), 404);
    });
  });

  describe('event types', () => {
    it('creates, lists and refuses duplicates', async () => {
      const created = await system.request('POST', '/v1/event-types', { body: { name: 'invoice.paid', description: 'An invoice was paid' } });
      expect(created.status).toBe(201);
      expectProblem(await system.request('POST', '/v1/event-types', { body: { name: 'invoice.paid' } }), 409);
      expectProblem(await system.request('POST', '/v1/event-types', { body: { name: 'bad name' } }), 400);
      const list = await system.request('GET', '/v1/event-types');
      expect(list.body.data).toEqual([expect.objectContaining({ name: 'invoice.paid', description: 'An invoice was paid' })]);
      expect((await system.request('GET', '/health')).body.event_types).toBe(1);
    });
  });

  it('reports health with its checks', async () => {
    const health = await system.request('GET', '/health', { key: null });
    expect(health.body).toEqual({
      status: 'ok',
      service: 'api-gateway',
      version: expect.any(String),
      event_types: expect.any(Number),
      timestamp: expect.any(String),
      checks: { postgres: expect.objectContaining({ status: 'up' }), nats: expect.objectContaining({ status: 'up' }) },
    });
  });
});

import { Client } from 'pg';
import { TestSystem } from '@hookledger/testing';
import { HostileRequest, hostileRequests } from './hostile-requests';

const CONCURRENCY = 8;
/** The operator's limit on a key's requests per second; a tenant's key may not raise a key above it. */
const OPERATOR_RATE_LIMIT_PER_S = 50_000;

interface Answer {
  readonly request: HostileRequest;
  readonly status: number;
  readonly contentType: string;
  readonly detail: unknown;
}

describe('hostile input', () => {
  let system: TestSystem;
  let db: Client;

  beforeAll(async () => {
    system = await TestSystem.start({ apps: ['api-gateway'], env: { HOOKS_API_RATE_LIMIT_PER_S: String(OPERATOR_RATE_LIMIT_PER_S) } });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  async function rowCounts(): Promise<Record<string, number>> {
    const { rows: tables } = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}"`);
      counts[name] = Number(rows[0].n);
    }
    return counts;
  }

  async function send(request: HostileRequest): Promise<Answer> {
    const response = await fetch(`${system.apiUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
    const text = await response.text();
    let detail: unknown;
    try {
      detail = (JSON.parse(text) as { detail?: unknown }).detail;
    } catch {
      detail = undefined;
    }
    return { request, status: response.status, contentType: response.headers.get('content-type') ?? '', detail };
  }

  async function sendAll(requests: HostileRequest[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) answers.push(await send(requests[next++]));
    }));
    return answers;
  }

  const tally = (answers: Answer[], key: (answer: Answer) => string) =>
    answers.reduce<Record<string, number>>((counts, answer) => ({ ...counts, [key(answer)]: (counts[key(answer)] ?? 0) + 1 }), {});

  it('answers 1,000+ malformed and hostile requests on every route with 4xx problem+json, and writes nothing', async () => {
    const eventType = await system.request('POST', '/v1/event-types', { body: { name: 'invoice.paid' } });
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/hooks' } });
    const event = await system.request('POST', '/v1/events', { body: { type: 'invoice.paid', data: { amount: 1 } } });
    const tenant = await system.request('POST', '/v1/tenants', { body: { id: 'hostile', name: 'Hostile' } });
    const tenantAdmin = await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: 'hostile' } });
    // Incoming webhooks (/in/:source_id) are attacked on a real source: no signature verifies, so nothing is written.
    const source = await system.request('POST', '/v1/sources', { body: { type: 'github', name: 'hostile' } });
    expect([eventType.status, endpoint.status, event.status, tenant.status, tenantAdmin.status, source.status]).toEqual([201, 201, 202, 201, 201, 201]);
    const openapi = await system.request('GET', '/openapi.json');
    const requests = hostileRequests(openapi.body, {
      '/v1/event-types': 'invoice.paid', '/v1/endpoints': endpoint.body.id, '/v1/events': event.body.id, '/v1/sources': source.body.id, '/in': source.body.id,
    }, system.adminKey, { key: tenantAdmin.body.key, operatorRateLimitPerS: OPERATOR_RATE_LIMIT_PER_S });
    const routes = new Set(requests.map((r) => r.route).filter((route) => !route.endsWith('(not a method)')));
    expect(requests.length).toBeGreaterThanOrEqual(1000);
    // Every path; every operation but those with nothing to attack (GET /health: no key, id, query or body).
    expect(new Set(requests.map((r) => r.route.split(' ')[1]))).toEqual(new Set(Object.keys(openapi.body.paths)));
    expect(routes.size).toBeGreaterThanOrEqual(Object.values(openapi.body.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0) - 1);
    const before = await rowCounts();

    const answers = await sendAll(requests);

    console.info(`hostile-input campaign: ${answers.length} requests over ${routes.size} routes; by status ${JSON.stringify(tally(answers, (a) => String(a.status)))}; by route ${JSON.stringify(tally(answers, (a) => a.request.route))}`);
    const wrong = answers
      .filter((a) => a.status < 400 || a.status >= 500 || !a.contentType.startsWith('application/problem+json') || typeof a.detail !== 'string' || a.detail === ''
        || (a.status === 413 && !a.detail.includes('262144 bytes')) || (a.request.expect !== undefined && !a.request.expect.includes(a.status)))
      .map((a) => `${a.status}${a.request.expect ? ` (expected ${a.request.expect.join(' or ')})` : ''} ${a.contentType || '(no content type)'} ${a.request.method} ${a.request.path.slice(0, 80)} — ${a.request.what}: ${String(a.detail).slice(0, 100)}`);
    expect(wrong).toEqual([]);
    expect((await system.request('GET', '/health')).status).toBe(200);
    expect(await rowCounts()).toEqual(before);
  }, 180_000);

  it('says which limit a refused body broke, and takes a body just under the limit', async () => {
    const event = (data: unknown) => system.request('POST', '/v1/events', { body: { type: 'invoice.paid', data } });
    const tooLarge = await event({ padding: 'p'.repeat(256 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(tooLarge.body.detail).toBe('The request body exceeds the limit of 262144 bytes.');

    expect((await system.request('POST', '/v1/events', { rawBody: `{"type":"invoice.paid","data":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}` })).body)
      .toMatchObject({ status: 400, detail: 'The request body is nested deeper than 32 levels.' });
    expect((await system.request('POST', '/v1/events', { rawBody: '{"type":"invoice.paid","data":{"__proto__":{"admin":true}}}' })).body)
      .toMatchObject({ status: 400, detail: 'The request body must not contain the key "__proto__" (at data.__proto__).' });
    expect((await event({ note: 'a\u0000b' })).body).toMatchObject({ status: 400, detail: 'The request body must not contain NUL characters (at data.note).' });

    expect((await event({ padding: 'p'.repeat(250 * 1024) })).status).toBe(202);
  });
});

// On its own system: a pattern that backtracks catastrophically holds the API's only thread, so a
// failure here would otherwise stall every test after it.
describe('hostile input: event-type schemas whose regular expressions backtrack', () => {
  /** Nested quantifiers: V8's backtracking engine takes exponential time on a long almost-match. */
  const EVIL = '^([a-z0-9]+)*$';
  const ALMOST = `${'a'.repeat(9_999)}!`;
  const SCHEMAS: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['pattern', { type: 'object', properties: { sku: { type: 'string', pattern: EVIL } } }, { sku: ALMOST }],
    ['patternProperties', { type: 'object', patternProperties: { [EVIL]: { type: 'string' } } }, { [ALMOST]: 'x' }],
  ];
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ apps: ['api-gateway'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('refuses such a schema with 422 on every route that takes one, or accepts it and answers a 10,000-character publish against it without a 5xx', async () => {
    const openapi = (await system.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>; components: { schemas: Record<string, { properties?: object }> } };
    const routes = Object.entries(openapi.paths).flatMap(([path, item]) => Object.entries(item)
      .filter(([, operation]) => 'schema' in (openapi.components.schemas[operation.requestBody?.content['application/json']?.schema.$ref?.split('/').pop() ?? '']?.properties ?? {}))
      .map(([method]) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(['PATCH /v1/event-types/{name}', 'POST /v1/event-types']);
    const failures: string[] = [];
    let n = 0;
    for (const route of routes) {
      for (const [what, schema, data] of SCHEMAS) {
        const name = `evil.${what.toLowerCase()}.${++n}`;
        const answer = route.startsWith('POST')
          ? await system.request('POST', '/v1/event-types', { body: { name, schema } })
          : await (async () => {
            expect((await system.request('POST', '/v1/event-types', { body: { name } })).status).toBe(201);
            return system.request('PATCH', `/v1/event-types/${name}`, { body: { schema } });
          })();
        if (answer.status === 422) {
          if (!answer.headers.get('content-type')?.includes('problem+json') || !String(answer.body.detail)) failures.push(`${route} ${what}: 422 without a problem detail`);
          continue;
        }
        if (answer.status >= 300) {
          failures.push(`${route} ${what}: ${answer.status}, expected 422 or acceptance: ${JSON.stringify(answer.body).slice(0, 200)}`);
          continue;
        }
        // Accepted: the pattern must then run in linear time. Waiting has a bound only so a wedged API fails with a reason.
        const published = await fetch(`${system.apiUrl}/v1/events`, {
          method: 'POST', headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: name, data }), signal: AbortSignal.timeout(30_000),
        }).then((response) => response.status, (error: Error) => error.name);
        if (typeof published !== 'number' || published >= 500) {
          failures.push(`${route} ${what}: accepted, then publishing a 10,000-character almost-match answered ${published === 'TimeoutError' ? 'nothing within 30 s (catastrophic backtracking)' : published}`);
          break;
        }
      }
      if (failures.some((failure) => failure.includes('nothing within'))) break;
    }
    console.info(`backtracking-pattern class: ${n} schemas over ${routes.length} routes`);
    expect(failures).toEqual([]);
  }, 120_000);
});

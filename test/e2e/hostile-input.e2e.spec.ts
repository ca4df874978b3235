import { Client } from 'pg';
import { TestSystem } from '@hookledger/testing';
import { HostileRequest, hostileRequests } from './hostile-requests';

const CONCURRENCY = 8;

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
    system = await TestSystem.start({ apps: ['api-gateway'] });
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
    expect([eventType.status, endpoint.status, event.status]).toEqual([201, 201, 202]);
    const openapi = await system.request('GET', '/openapi.json');
    const requests = hostileRequests(openapi.body, {
      '/v1/event-types': 'invoice.paid', '/v1/endpoints': endpoint.body.id, '/v1/events': event.body.id,
    }, system.adminKey);
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
        || (a.status === 413 && !a.detail.includes('262144 bytes')))
      .map((a) => `${a.status} ${a.contentType || '(no content type)'} ${a.request.method} ${a.request.path.slice(0, 80)} — ${a.request.what}: ${String(a.detail).slice(0, 100)}`);
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

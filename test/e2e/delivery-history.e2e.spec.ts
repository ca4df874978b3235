import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const BEARER = 'tok-bearer-sekrit-7d41c2';
const PASSWORD = 'pw-basic-sekrit-93fe10';
const BASIC = Buffer.from(`hooks:${PASSWORD}`).toString('base64');
const ANSWER = 'not yet: answer-text-c0ffee';

interface HistoryItem {
  attempt_id: string; delivery_id: string; message_id: string; endpoint_id: string; tenant_id: string; event_type: string; attempt: number; trigger: string;
  ledger: { position: string; stream_id: string; version: number; hash: string };
  request: { url: string; method: string; headers: Record<string, string>; body_sha256: string; signature: { header: string; value: string } | null };
  response: { status_code: number | null; duration_ms: number; started_at: string; outcome: string; error: string | null; body_excerpt: string | null; body_purged_at: string | null };
}

describe('the delivery history (GET /v1/audit/deliveries)', () => {
  let receiver: WebhookReceiver;
  let system: TestSystem;
  let db: Client;
  let bearerEndpoint: string;
  let basicEndpoint: string;
  let globexEndpoint: string;
  let eventId: string;

  const history = async (query = '', key?: string) => system.request<{ data: HistoryItem[]; next_cursor: string | null }>('GET', `/v1/audit/deliveries${query}`, { key });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
    db = new Client({ connectionString: system.database.url });
    await db.connect();
    for (const id of ['acme', 'globex']) expect((await system.request('POST', '/v1/tenants', { body: { id, name: id } })).status).toBe(201);
    receiver.answer('/bearer', (_request, count) => (count === 1 ? { status: 500, body: ANSWER } : { status: 200, body: 'thanks' }));
    receiver.answer('/basic', () => ({ status: 204 }));
    receiver.answer('/globex', () => ({ status: 200, body: 'globex ok' }));
    const create = async (body: Record<string, unknown>) => {
      const answer = await system.request('POST', '/v1/endpoints', { body: { event_types: ['invoice.paid'], retry_schedule: [1], ...body } });
      expect(answer.status).toBe(201);
      return answer.body.id as string;
    };
    bearerEndpoint = await create({ url: receiver.url('/bearer'), tenant_id: 'acme', headers: { 'X-Region': 'eu-west' }, auth: { type: 'bearer', token: BEARER } });
    basicEndpoint = await create({ url: receiver.url('/basic'), tenant_id: 'acme', auth: { type: 'basic', username: 'hooks', password: PASSWORD } });
    globexEndpoint = await create({ url: receiver.url('/globex'), tenant_id: 'globex' });
    const event = await system.request('POST', '/v1/events', { body: { type: 'invoice.paid', tenant_id: 'acme', data: { amount: 1250, note: 'ünïcode ✓' } } });
    expect(event.status).toBe(202);
    eventId = event.body.id;
    expect((await system.request('POST', '/v1/events', { body: { type: 'invoice.paid', tenant_id: 'globex', data: { amount: 1 } } })).status).toBe(202);
    // The witness: every attempt recorded (the bearer endpoint's second one last of its delivery).
    await eventually(async () => {
      const { body } = await history('?limit=250');
      return body.data.length === 4 ? body : undefined;
    }, 'four attempts in the history', 30_000);
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await receiver?.close();
  });

  it('answers each attempt with the request as sent (credentials redacted), the answer and its ledger event', async () => {
    const { status, body } = await history(`?endpoint_id=${bearerEndpoint}`);
    expect(status).toBe(200);
    expect(body.data.map((item) => [item.attempt, item.response.status_code, item.response.outcome])).toEqual([[2, 200, 'http_2xx'], [1, 500, 'http_5xx']]);
    const received = receiver.received('/bearer');
    expect(received).toHaveLength(2);
    for (const item of body.data) {
      const sent = received[item.attempt - 1];
      expect(item).toMatchObject({ message_id: eventId, endpoint_id: bearerEndpoint, tenant_id: 'acme', event_type: 'invoice.paid', trigger: 'scheduled' });
      expect(item.request.url).toBe(receiver.url('/bearer'));
      expect(item.request.method).toBe('POST');
      // Every header recorded is the one the receiver got, but the credential.
      for (const [name, value] of Object.entries(item.request.headers)) {
        if (name.toLowerCase() === 'authorization') expect([value, sent.headers.authorization]).toEqual(['[redacted]', `Bearer ${BEARER}`]);
        else expect([name, sent.headers[name.toLowerCase()]]).toEqual([name, value]);
      }
      expect(item.request.headers).toMatchObject({ 'X-Region': 'eu-west', 'webhook-id': eventId, 'content-type': 'application/json' });
      expect(item.request.headers['user-agent']).toMatch(/^Hookledger\//);
      expect(item.request.body_sha256).toBe(createHash('sha256').update(Buffer.from(sent.body, 'utf8')).digest('hex'));
      expect(item.request.signature).toEqual({ header: 'webhook-signature', value: sent.headers['webhook-signature'] });

      // The ledger position is the DeliveryAttempted that records this attempt, with the hash the store chained.
      const { rows: [event] } = await db.query(
        `SELECT stream_id, stream_version, type, schema_version, encode(hash, 'hex') AS hash, data->>'attempt_id' AS attempt_id FROM events WHERE global_position = $1`,
        [item.ledger.position]);
      expect(event).toEqual({
        stream_id: item.ledger.stream_id, stream_version: item.ledger.version, type: 'DeliveryAttempted', schema_version: 3, hash: item.ledger.hash, attempt_id: item.attempt_id,
      });
      expect(item.ledger.stream_id).toBe(`delivery-${item.delivery_id}`);
    }
    const [second, first] = body.data;
    expect(first.response).toMatchObject({ body_excerpt: ANSWER, body_purged_at: null, error: null });
    expect(second.response).toMatchObject({ body_excerpt: 'thanks', body_purged_at: null });
  });

  it('keeps the credentials out of the answer, the ledger and the projection, and the answer text sealed', async () => {
    const everything = JSON.stringify((await history('?limit=250')).body);
    for (const secret of [BEARER, PASSWORD, BASIC]) expect(everything).not.toContain(secret);
    const basic = (await history(`?endpoint_id=${basicEndpoint}`)).body.data;
    expect(basic).toHaveLength(1);
    expect(basic[0].request.headers.authorization).toBe('[redacted]');
    expect(basic[0].response).toMatchObject({ status_code: 204, body_excerpt: '' });
    for (const table of ['events', 'attempts']) {
      for (const text of [BEARER, PASSWORD, BASIC, ANSWER]) {
        const { rows: [{ count }] } = await db.query(`SELECT count(*)::int AS count FROM ${table} t WHERE t::text LIKE '%' || $1 || '%'`, [text]);
        expect([table, text, count]).toEqual([table, text, 0]);
      }
    }
    const { rows } = await db.query(`SELECT sealed_response_body FROM attempts WHERE endpoint_id = $1 AND attempt = 1`, [bearerEndpoint]);
    expect(rows[0].sealed_response_body).toMatch(/^hlp1\./);
  });

  it('the deliveries API opens the sealed response bodies', async () => {
    const [delivery] = (await system.request('GET', `/v1/deliveries?endpoint_id=${bearerEndpoint}`)).body.data;
    const attempts = await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`);
    expect(attempts.body.data.map((a: { response_body: string; response_body_purged_at: string | null }) => [a.response_body, a.response_body_purged_at]))
      .toEqual([[ANSWER, null], ['thanks', null]]);
  });

  it('filters by outcome, event type, time window and tenant, and pages newest first', async () => {
    const ids = async (query: string) => (await history(query)).body.data.map((item) => `${item.endpoint_id === bearerEndpoint ? 'bearer' : item.endpoint_id === basicEndpoint ? 'basic' : 'globex'}#${item.attempt}`);
    expect(await ids(`?endpoint_id=${bearerEndpoint}&outcome=failed`)).toEqual(['bearer#1']);
    expect(await ids(`?endpoint_id=${bearerEndpoint}&outcome=http_5xx`)).toEqual(['bearer#1']);
    expect(await ids(`?tenant_id=acme&outcome=succeeded`)).toEqual(expect.arrayContaining(['bearer#2', 'basic#1']));
    expect(await ids(`?tenant_id=acme&outcome=succeeded`)).toHaveLength(2);
    expect(await ids(`?tenant_id=globex`)).toEqual(['globex#1']);
    expect(await ids(`?event_type=order.shipped`)).toEqual([]);
    expect(await ids(`?tenant_id=acme&event_type=invoice.paid`)).toHaveLength(3);
    const [second, first] = (await history(`?endpoint_id=${bearerEndpoint}`)).body.data;
    expect(await ids(`?endpoint_id=${bearerEndpoint}&since=${second.response.started_at}`)).toEqual(['bearer#2']);
    expect(await ids(`?endpoint_id=${bearerEndpoint}&until=${second.response.started_at}`)).toEqual(['bearer#1']);
    expect(await ids(`?endpoint_id=${bearerEndpoint}&since=${first.response.started_at}&until=${second.response.started_at}`)).toEqual(['bearer#1']);

    const all = (await history('?limit=250')).body.data.map((item) => item.attempt_id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: HistoryItem[]; next_cursor: string | null } = (await history(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
      paged.push(...page.data.map((item) => item.attempt_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all);
    const started = (await history('?limit=250')).body.data.map((item) => item.response.started_at);
    expect([...started].sort().reverse()).toEqual(started);
  });

  it('shows a key bound to a tenant its own attempts only', async () => {
    const key = async (tenant: string) => (await system.request('POST', '/v1/api-keys', { body: { role: 'auditor', tenant_id: tenant, name: `${tenant} auditor` } })).body.key as string;
    const globex = await key('globex');
    const acme = await key('acme');
    expect((await history('', globex)).body.data.map((item) => item.endpoint_id)).toEqual([globexEndpoint]);
    expect((await history('', acme)).body.data.map((item) => item.tenant_id)).toEqual(['acme', 'acme', 'acme']);
    expect((await history('?tenant_id=acme', globex)).status).toBe(403);
    const naming = await history(`?endpoint_id=${bearerEndpoint}`, globex);
    expect([naming.status, naming.headers.get('content-type')]).toEqual([404, expect.stringContaining('application/problem+json')]);
    const reader = (await system.request('POST', '/v1/api-keys', { body: { role: 'reader', name: 'reader' } })).body.key as string;
    expect((await history('', reader)).status).toBe(403);
  });

  it.each([
    ['outcome=bogus', 'outcome'], ['since=yesterday', 'since'], ['until=2026-13-01T00:00:00Z', 'until'], ['limit=0', 'limit'], ['cursor=not-a-cursor', 'cursor'],
    ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'until'], [`cursor=${Buffer.from(JSON.stringify({ k: 'x|y' })).toString('base64url')}`, 'cursor'],
    ['tenant_id=a/b', 'tenant_id'],
  ])('refuses %s with 400 problem+json naming %s', async (query, field) => {
    const answer = await system.request('GET', `/v1/audit/deliveries?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(answer.body)).toContain(field);
  });
});

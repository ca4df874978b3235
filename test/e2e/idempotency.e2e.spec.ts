import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ApiAnswer, TestSystem } from '@hookledger/testing';
import { eventually } from './eventually';

describe('Idempotency-Key, end to end', () => {
  let system: TestSystem;
  let db: Client;

  beforeAll(async () => {
    system = await TestSystem.start({ apps: ['api-gateway', 'ingest'] });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  const post = (path: string, body: unknown, key?: string) =>
    system.request('POST', path, { body, headers: key === undefined ? {} : { 'idempotency-key': key } });

  const expectProblem = (answer: ApiAnswer, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status, detail: expect.any(String) });
  };

  const endpointsWithUrl = async (url: string) =>
    (await db.query(`SELECT id FROM endpoints WHERE url = $1`, [url])).rows.map((row: { id: string }) => row.id);

  it('creates one endpoint for two requests with the same key, and answers both with its id and secret', async () => {
    const key = randomUUID();
    const body = { url: 'https://example.com/idem-create', event_types: ['invoice.*'] };
    const first = await post('/v1/endpoints', body, key);
    const second = await post('/v1/endpoints', { event_types: ['invoice.*'], url: 'https://example.com/idem-create' }, key);

    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.body.secret).toMatch(/^whsec_/);
    expect(await endpointsWithUrl(body.url)).toEqual([first.body.id]);
  });

  it('keeps the stored answer encrypted: a signing secret is not readable in the table', async () => {
    const key = randomUUID();
    const created = await post('/v1/endpoints', { url: 'https://example.com/idem-sealed' }, key);
    const { rows } = await db.query(`SELECT response_body::text AS body FROM idempotency_keys WHERE key = $1`, [key]);
    expect(rows[0].body).not.toContain(created.body.secret.slice(6));
    expect(rows[0].body).not.toContain(created.body.id);
  });

  it('without a key, each request creates', async () => {
    const body = { url: 'https://example.com/idem-none' };
    await post('/v1/endpoints', body);
    await post('/v1/endpoints', body);
    expect(await endpointsWithUrl(body.url)).toHaveLength(2);
  });

  it('publishes an event once for two requests with the same key', async () => {
    const key = randomUUID();
    const first = await post('/v1/events', { type: 'idem.published', data: { n: 1 } }, key);
    const second = await post('/v1/events', { type: 'idem.published', data: { n: 1 } }, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);

    // Ingest reads the stream in order: once a later event is stored, so is every duplicate.
    const marker = await post('/v1/events', { type: 'idem.marker', data: {} });
    await eventually(async () => ((await system.request('GET', `/v1/events/${marker.body.id}`)).status === 200 ? true : undefined), 'the marker event');
    const listed = await system.request('GET', '/v1/events?type=idem.published');
    expect(listed.body.data.map((event: { id: string }) => event.id)).toEqual([first.body.id]);
  });

  it('replays a batch and a created event type instead of running them again', async () => {
    const batchKey = randomUUID();
    const batch = { events: [{ type: 'idem.batch', data: { a: 1 } }, { type: 'idem.batch', data: { a: 2 } }] };
    const firstBatch = await post('/v1/events/batch', batch, batchKey);
    const secondBatch = await post('/v1/events/batch', batch, batchKey);
    expect(secondBatch.body).toEqual(firstBatch.body);

    const typeKey = randomUUID();
    const firstType = await post('/v1/event-types', { name: 'idem.typed' }, typeKey);
    const secondType = await post('/v1/event-types', { name: 'idem.typed' }, typeKey);
    expect(firstType.status).toBe(201);
    expect(secondType.status).toBe(201); // not 409 "already exists": the retry gets the first answer
    expect(secondType.body).toEqual(firstType.body);
  });

  it('answers 422 when the key is reused for a different body or a different route', async () => {
    const key = randomUUID();
    expect((await post('/v1/endpoints', { url: 'https://example.com/idem-a' }, key)).status).toBe(201);

    const otherBody = await post('/v1/endpoints', { url: 'https://example.com/idem-b' }, key);
    expectProblem(otherBody, 422);
    expect(otherBody.body.detail).toMatch(/Idempotency-Key was already used for another request/);
    expectProblem(await post('/v1/event-types', { name: 'idem.other' }, key), 422);
    expect(await endpointsWithUrl('https://example.com/idem-b')).toEqual([]);
  });

  it('answers 400 for a key that is empty, too long or not printable ASCII', async () => {
    for (const key of ['', 'k'.repeat(256), 'caf\u00e9']) {
      const answer = await post('/v1/endpoints', { url: 'https://example.com/idem-bad-key' }, key);
      expectProblem(answer, 400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    }
    expect(await endpointsWithUrl('https://example.com/idem-bad-key')).toEqual([]);
  });

  it('answers 409 to a retry while the first request still runs, then replays its answer', async () => {
    const key = randomUUID();
    const body = { url: 'https://example.com/idem-concurrent' };
    const lock = new Client({ connectionString: system.database.url });
    await lock.connect();
    try {
      // Holds the first request inside its endpoint insert, after it claimed the key.
      await lock.query(`BEGIN; LOCK TABLE endpoints IN SHARE MODE`);
      const first = post('/v1/endpoints', body, key);
      await eventually(async () => {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO endpoints%'`);
        return rows.length > 0 ? true : undefined;
      }, 'the first request to block on the endpoints table');

      const retry = await post('/v1/endpoints', body, key);
      expectProblem(retry, 409);
      expect(retry.body.detail).toMatch(/still in progress/);

      await lock.query('COMMIT');
      const answered = await first;
      expect(answered.status).toBe(201);
      const later = await post('/v1/endpoints', body, key);
      expect(later.headers.get('idempotent-replayed')).toBe('true');
      expect(later.body.id).toBe(answered.body.id);
      expect(await endpointsWithUrl(body.url)).toEqual([answered.body.id]);
    } finally {
      await lock.end();
    }
  });

  it('does not keep a 5xx: the retry with the same key runs again', async () => {
    const key = randomUUID();
    const body = { url: 'https://example.com/idem-5xx' };
    // A failing write, planted as the owner (the apps' role may not add triggers).
    const owner = new Client({ connectionString: system.database.ownerUrl });
    await owner.connect();
    let failed: ApiAnswer;
    try {
      await owner.query(`CREATE FUNCTION idem_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$`);
      await owner.query(`CREATE TRIGGER idem_fail BEFORE INSERT ON endpoints FOR EACH ROW EXECUTE FUNCTION idem_fail()`);
      try {
        failed = await post('/v1/endpoints', body, key);
      } finally {
        await owner.query(`DROP TRIGGER idem_fail ON endpoints; DROP FUNCTION idem_fail()`);
      }
    } finally {
      await owner.end();
    }
    expectProblem(failed, 500);

    const retried = await post('/v1/endpoints', body, key);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await endpointsWithUrl(body.url)).toEqual([retried.body.id]);
  });

  it('does not keep a 4xx: after fixing the body, the same key creates', async () => {
    const key = randomUUID();
    expectProblem(await post('/v1/endpoints', { url: 'not a url' }, key), 400);
    const fixed = await post('/v1/endpoints', { url: 'https://example.com/idem-4xx' }, key);
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('treats an abandoned in-progress key (its process died) as free after two minutes', async () => {
    const key = randomUUID();
    const body = { url: 'https://example.com/idem-abandoned' };
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ('api-key:admin', $1, 'POST', '/v1/endpoints', 'whatever', 'in_progress', now() - interval '3 minutes', now() + interval '1 day')`,
      [key],
    );
    const answer = await post('/v1/endpoints', body, key);
    expect(answer.status).toBe(201);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
  });

  it('runs a request again once its key expired', async () => {
    const key = randomUUID();
    const body = { url: 'https://example.com/idem-expired' };
    const first = await post('/v1/endpoints', body, key);
    await db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const second = await post('/v1/endpoints', body, key);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('ignores the key on routes that create nothing (disable, enable)', async () => {
    const key = randomUUID();
    const created = await post('/v1/endpoints', { url: 'https://example.com/idem-state' }, key);
    const disabled = await post(`/v1/endpoints/${created.body.id}/disable`, {}, key);
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect(disabled.headers.get('idempotent-replayed')).toBeNull();
  });
});

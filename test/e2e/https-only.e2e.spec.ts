import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * The system as deployed: NODE_ENV=production and HOOKS_ALLOW_HTTP unset, so only https URLs are
 * taken and only https is sent. Private networks are allowed so a loopback receiver is reachable:
 * the scheme is the only thing keeping a webhook from it.
 */
describe('https only (NODE_ENV=production, HOOKS_ALLOW_HTTP unset)', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: Client;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({
      env: {
        NODE_ENV: 'production',
        HOOKS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        HOOKS_LEDGER_SIGNING_KEY: randomBytes(32).toString('base64'),
        HOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
        HOOKS_ALLOW_HTTP: undefined,
      },
    });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await receiver?.close();
  });

  const count = async (sql: string) => Number((await db.query<{ count: string }>(sql)).rows[0].count);
  // Endpoints that no event published here matches: nothing is ever sent to hooks.example.com.
  const httpsEndpoint = { url: 'https://hooks.example.com/in', event_types: ['never.published'] };

  it('refuses an http:// endpoint URL with 422 problem+json naming https and HOOKS_ALLOW_HTTP', async () => {
    const answer = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/created') } });
    expect({ status: answer.status, type: answer.headers.get('content-type') }).toEqual({ status: 422, type: expect.stringContaining('application/problem+json') });
    expect(answer.body).toMatchObject({
      status: 422,
      detail: 'url must use https (HOOKS_ALLOW_HTTP is off).',
      errors: [{ field: 'url', message: 'url must use https' }],
    });
    expect(await count(`SELECT count(*) FROM endpoints`)).toBe(0);
  });

  it('accepts an https:// endpoint, and refuses changing its URL to http://, leaving it unchanged', async () => {
    const created = await system.request('POST', '/v1/endpoints', { body: httpsEndpoint });
    expect(created).toMatchObject({ status: 201, body: { url: 'https://hooks.example.com/in' } });

    const before = (await system.request('GET', `/v1/endpoints/${created.body.id}`)).body;
    const patched = await system.request('PATCH', `/v1/endpoints/${created.body.id}`, { body: { url: receiver.url('/patched') } });
    expect(patched).toMatchObject({ status: 422, body: { detail: 'url must use https (HOOKS_ALLOW_HTTP is off).', errors: [{ field: 'url', message: 'url must use https' }] } });
    expect(patched.headers.get('content-type')).toContain('application/problem+json');
    const after = (await system.request('GET', `/v1/endpoints/${created.body.id}`)).body;
    expect(after).toEqual(before);
    expect(after.url).toBe('https://hooks.example.com/in');
  });

  it('refuses an http:// ad-hoc destination with 422, and creates neither event nor endpoint', async () => {
    const before = { events: await count(`SELECT count(*) FROM events`), endpoints: await count(`SELECT count(*) FROM endpoints`) };
    const answer = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: {}, destination: { url: receiver.url('/adhoc') } } });
    expect(answer).toMatchObject({
      status: 422,
      body: { detail: 'destination.url must use https (HOOKS_ALLOW_HTTP is off).', errors: [{ field: 'destination.url', message: 'destination.url must use https' }] },
    });
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect({ events: await count(`SELECT count(*) FROM events`), endpoints: await count(`SELECT count(*) FROM endpoints`) }).toEqual(before);
    expect(await count(`SELECT count(*) FROM messages`)).toBe(0);
  });

  it('never sends over http to an endpoint stored while http was allowed: the attempt says why, the receiver sees nothing', async () => {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: 'https://hooks.example.com/legacy', event_types: ['legacy.http'], retry_schedule: [] } });
    expect(created.status).toBe(201);
    // Stands in for a row written before the operator turned http off: the API would refuse this URL now.
    const url = receiver.url('/legacy');
    expect((await db.query(`UPDATE endpoints SET url = $1 WHERE id = $2`, [url, created.body.id])).rowCount).toBe(1);
    expect((await system.request('GET', `/v1/endpoints/${created.body.id}`)).body.url).toBe(url);

    const event = await system.request('POST', '/v1/events', { body: { type: 'legacy.http', data: { order: 'o_1' } } });
    expect(event.status).toBe(202);
    const delivery = await eventually(async () => {
      const found = (await system.request('GET', `/v1/deliveries?event_id=${event.body.id}`)).body.data;
      return found[0]?.status === 'failed' ? found[0] : undefined;
    }, 'the delivery to fail');
    const attempts = (await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
    expect(attempts).toEqual([
      expect.objectContaining({
        url,
        status_code: null,
        outcome: 'address_blocked',
        error: `refusing to send to http://127.0.0.1:${receiver.port}: plain http is not allowed, only https (HOOKS_ALLOW_HTTP is off)`,
      }),
    ]);
    expect({ requests: receiver.requests.length, connections: receiver.connections }).toEqual({ requests: 0, connections: 0 });
  });
});

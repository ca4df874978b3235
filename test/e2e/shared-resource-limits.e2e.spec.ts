import type { ServerResponse } from 'node:http';
import { Client } from 'pg';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const OPERATOR_RATE_LIMIT = 5000;
const POOL_SIZE = 5;

/**
 * Issue 11 point 5 (api-gateway side): one tenant cannot use up what every tenant shares —
 * endpoints through ad-hoc destinations, the API's rate, database connections, the idempotency table.
 */
describe('limits on shared resources', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  /** Answers nothing until released: a receiver as slow as the test wants. */
  let holding: WebhookReceiver;
  const held: { path: string; res: ServerResponse }[] = [];
  const heldOn = (path: string) => held.filter((request) => request.path === path).length;
  let db: Client;

  const release = () => {
    for (const { res } of held.splice(0)) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    holding = await WebhookReceiver.start({ respond: (req, res) => held.push({ path: (req.url ?? '/').split('?')[0], res }) });
    system = await TestSystem.start({
      env: { HOOKS_API_RATE_LIMIT_PER_S: String(OPERATOR_RATE_LIMIT), HOOKS_ADHOC_RETENTION: '2s', HOOKS_DB_POOL_SIZE: String(POOL_SIZE) },
    });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });

  afterAll(async () => {
    release();
    await db?.end();
    await system?.stop();
    await receiver?.close();
    await holding?.close();
  });

  it('counts ad-hoc destinations against max_endpoints, and expires them once delivered so they free their slot', async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'small', name: 'Small', quotas: { max_endpoints: 2 } } })).status).toBe(201);
    expect((await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/small'), tenant_id: 'small' } })).status).toBe(201);
    const publishTo = (url: string) => system.request('POST', '/v1/events', { body: { type: 'order.created', data: {}, tenant_id: 'small', destination: { url } } });

    const first = await publishTo(holding.url('/adhoc/1'));
    expect(first.status).toBe(202);
    const adhoc = first.body.destination.endpoint_id as string;
    // Its delivery is under way (the receiver holds it): the destination is in use and counted.
    await eventually(async () => (heldOn('/adhoc/1') === 1 ? true : undefined), 'the ad-hoc delivery to reach the receiver');
    const refused = await publishTo(holding.url('/adhoc/2'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ quota: 'max_endpoints', limit: 2, used: 2 });
    expect(refused.body.detail).toContain('max_endpoints 2');
    expect((await system.request('GET', '/v1/tenants/small')).body.usage.endpoints).toBe(2);

    release();
    // Delivered, then HOOKS_ADHOC_RETENTION later the scheduler deletes it through the ledger.
    await eventually(async () => ((await system.request('GET', '/v1/tenants/small')).body.usage.endpoints === 1 ? true : undefined),
      'the delivered ad-hoc destination to expire');
    expect((await system.request('GET', `/v1/endpoints/${adhoc}`)).status).toBe(404);
    const trail = await system.request('GET', `/v1/audit/events?stream_id=endpoint-${adhoc}`);
    expect((trail.body.data as { type: string; metadata: { actor: string } }[]).map((event) => [event.type, event.metadata.actor]).reverse())
      .toEqual([['EndpointCreated', 'api-key:admin'], ['EndpointDeleted', 'system:scheduler']]);
    const delivery = (await system.request('GET', `/v1/deliveries?event_id=${first.body.id}`)).body.data[0];
    expect(delivery).toMatchObject({ endpoint_id: adhoc, status: 'succeeded' });

    const again = await publishTo(receiver.url('/adhoc/3'));
    expect(again.status).toBe(202);
  });

  it("refuses a tenant's key a rate_limit_per_s above the operator's HOOKS_API_RATE_LIMIT_PER_S; the operator may set more", async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'greedy', name: 'Greedy' } })).status).toBe(201);
    const admin = (await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: 'greedy' } })).body.key as string;

    const raised = await system.request('POST', '/v1/api-keys', { body: { role: 'publisher', rate_limit_per_s: OPERATOR_RATE_LIMIT + 1 }, key: admin });
    expect(raised.status).toBe(403);
    expect(raised.headers.get('content-type')).toContain('application/problem+json');
    expect(raised.body.detail).toContain(`rate_limit_per_s may be at most ${OPERATOR_RATE_LIMIT}`);
    expect(raised.body.errors).toEqual([{ field: 'rate_limit_per_s', message: `must be at most ${OPERATOR_RATE_LIMIT}` }]);
    const keys = await system.request('GET', '/v1/api-keys?tenant_id=greedy&limit=250');
    expect(keys.body.data.map((key: { role: string }) => key.role)).toEqual(['admin']);

    expect((await system.request('POST', '/v1/api-keys', { body: { role: 'publisher', rate_limit_per_s: OPERATOR_RATE_LIMIT }, key: admin })).status).toBe(201);
    const operator = await system.request('POST', '/v1/api-keys', { body: { role: 'publisher', tenant_id: 'greedy', rate_limit_per_s: OPERATOR_RATE_LIMIT * 2 } });
    expect(operator.status).toBe(201);
    expect(operator.body.rate_limit_per_s).toBe(OPERATOR_RATE_LIMIT * 2);
  });

  it('holds no database connection while test sends wait for a slow receiver: other requests still answer', async () => {
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: holding.url('/slow') } });
    expect(endpoint.status).toBe(201);
    const tests = Array.from({ length: POOL_SIZE * 3 }, () => system.request('POST', `/v1/endpoints/${endpoint.body.id}/test`, { body: {} }));
    await eventually(async () => (heldOn('/slow') === POOL_SIZE * 3 ? true : undefined), 'every test send to reach the slow receiver');

    // Every /test is waiting on the receiver now: none of them may keep a connection of the API's pool.
    // A transaction held across the wait is open in both looks below, with the same start; one of the
    // API's own short transactions (the usage counter's flush) may show up in one look, never in both.
    const openTransactions = async () => (await db.query(
      `SELECT pid, xact_start, state, query FROM pg_stat_activity
        WHERE application_name = 'hookledger-api-gateway' AND state LIKE 'idle in transaction%'`,
    )).rows as { pid: number; xact_start: Date; state: string; query: string }[];
    const first = await openTransactions();
    expect((await system.request('GET', `/v1/endpoints/${endpoint.body.id}`)).status).toBe(200);
    expect((await system.request('GET', '/v1/deliveries?limit=5')).status).toBe(200);
    const held = (await openTransactions()).filter((later) =>
      first.some((earlier) => earlier.pid === later.pid && earlier.xact_start.getTime() === later.xact_start.getTime()));
    expect(held).toEqual([]);

    release();
    for (const answer of await Promise.all(tests)) expect(answer.body).toMatchObject({ success: true, status_code: 200 });
  });

  it('prunes expired idempotency answers as fast as they are written', async () => {
    const kept = await system.request('POST', '/v1/event-types', { body: { name: 'kept.by.key' }, headers: { 'Idempotency-Key': 'kept-1' } });
    expect(kept.status).toBe(201);
    // A day's worth of answers from a busy client, all expired now.
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, response_status, response_body, created_at, expires_at)
       SELECT 'api-key:busy', 'key-' || n, 'POST', '/v1/events', 'hash', 'completed', 202, '{"sealed":"x"}',
              now() - interval '2 days', now() - interval '1 day' + n * interval '1 ms'
         FROM generate_series(1, 50000) AS n`,
    );
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS expired FROM idempotency_keys WHERE expires_at <= now()`);
      return rows[0].expired === 0 ? true : undefined;
    }, 'every expired idempotency answer to be pruned', 30_000);
    const replayed = await system.request('POST', '/v1/event-types', { body: { name: 'kept.by.key' }, headers: { 'Idempotency-Key': 'kept-1' } });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });
});

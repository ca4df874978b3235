import { Client } from 'pg';
import { ApiAnswer, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * Every list walked two at a time must give exactly what the store holds, in the list's order,
 * with and without filters.
 */
describe('pagination and filters on every list, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: Client;
  const endpoints: Record<string, string> = {};
  const published: { id: string; timestamp: string }[] = [];
  let failedDelivery: string;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer('/fail', () => ({ status: 500, body: 'no' }));
    system = await TestSystem.start();
    db = new Client({ connectionString: system.database.url });
    await db.connect();

    for (const name of ['pg.a', 'pg.b', 'pg.c', 'pg.d', 'pg.e']) await create('/v1/event-types', { name });
    for (const id of ['t1', 't2']) await create('/v1/tenants', { id, name: `tenant ${id}` });
    const setups: [string, Record<string, unknown>][] = [
      ['wildcard', { event_types: ['pg.*'], tenant_id: 't1' }],
      ['exact', { event_types: ['pg.one'], tenant_id: 't1' }],
      ['other', { event_types: ['other.*'], tenant_id: 't1' }],
      ['all', { tenant_id: 't2' }],
      ['star', { event_types: ['*'] }],
      ['failing', { event_types: ['pg.fail'], retry_schedule: [0, 0, 0, 0] }],
    ];
    for (const [name, options] of setups) {
      const path = name === 'failing' ? '/fail' : `/${name}`;
      endpoints[name] = (await create('/v1/endpoints', { url: receiver.url(path), ...options })).id;
    }
    expect((await system.request('POST', `/v1/endpoints/${endpoints.other}/disable`, { body: {} })).status).toBe(200);

    const events = [
      { type: 'pg.one', data: { n: 1 }, channels: ['c1'] },
      { type: 'pg.one', data: { n: 2 }, tenant_id: 't1' },
      { type: 'pg.two', data: { n: 3 }, tenant_id: 't1', channels: ['c1', 'c2'] },
      { type: 'pg.one', data: { n: 4 }, tenant_id: 't2' },
      { type: 'pg.two', data: { n: 5 } },
      { type: 'pg.fail', data: { n: 6 } },
    ];
    for (const event of events) published.push(await create('/v1/events', event));

    failedDelivery = await eventually(async () => {
      const { rows } = await db.query(`SELECT id FROM deliveries WHERE endpoint_id = $1 AND status = 'failed' AND attempts = 5`, [endpoints.failing]);
      return rows[0]?.id as string | undefined;
    }, 'the failing delivery to use up its five attempts', 30_000);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM messages`);
      return rows[0].n === events.length ? true : undefined;
    }, 'every event to be stored');

    for (const since of ['2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z', '2022-01-01T00:00:00Z']) {
      await create(`/v1/endpoints/${endpoints.failing}/replay`, { since });
    }
    await create(`/v1/endpoints/${endpoints.wildcard}/replay`, { since: '2020-01-01T00:00:00Z', status: 'all' });
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await receiver?.close();
  });

  async function create(path: string, body: unknown) {
    const answer = await system.request('POST', path, { body });
    expect([201, 202]).toContain(answer.status);
    return answer.body;
  }

  /** Follows next_cursor with limit=2 until the last page; answers the keys in the order given. */
  async function walk(path: string, key: (item: Record<string, unknown>) => string = (item) => item.id as string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const separator = path.includes('?') ? '&' : '?';
      const answer: ApiAnswer = await system.request('GET', `${path}${separator}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.data.length).toBeLessThanOrEqual(2);
      keys.push(...answer.body.data.map(key));
      cursor = answer.body.next_cursor;
      if (cursor === null) {
        expect(new Set(keys).size).toBe(keys.length);
        return keys;
      }
      expect(answer.body.data).toHaveLength(2);
    }
    throw new Error(`${path} did not end within 100 pages`);
  }

  const column = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows.map((row) => Object.values(row)[0] as string);

  const expectProblem = (answer: ApiAnswer, field: string) => {
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((answer.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  };

  it('event types: by name', async () => {
    const all = await column(`SELECT name FROM event_types WHERE archived_at IS NULL ORDER BY name`);
    expect(all).toHaveLength(5);
    expect(await walk('/v1/event-types', (item) => item.name as string)).toEqual(all);
  });

  it('endpoints: newest first, by tenant, by state, by the event type they receive', async () => {
    const all = await column(`SELECT id FROM endpoints WHERE deleted_at IS NULL AND NOT adhoc ORDER BY id DESC`);
    expect(all).toHaveLength(6);
    expect(await walk('/v1/endpoints')).toEqual(all);

    const inOrder = (...names: string[]) => all.filter((id) => names.some((name) => endpoints[name] === id));
    expect(await walk('/v1/endpoints?tenant_id=t1')).toEqual(inOrder('wildcard', 'exact', 'other'));
    expect(await walk('/v1/endpoints?active=false')).toEqual(inOrder('other'));
    expect(await walk('/v1/endpoints?active=true&tenant_id=t1')).toEqual(inOrder('wildcard', 'exact'));
    expect(await walk('/v1/endpoints?event_type=pg.one')).toEqual(inOrder('wildcard', 'exact', 'all', 'star'));
    expect(await walk('/v1/endpoints?event_type=other.thing')).toEqual(inOrder('other', 'all', 'star'));
  });

  it('events: newest first, by type, tenant, channel and time', async () => {
    const ids = published.map((event) => event.id);
    expect(await walk('/v1/events')).toEqual([...ids].reverse());
    expect(await walk('/v1/events?type=pg.one')).toEqual([ids[3], ids[1], ids[0]]);
    expect(await walk('/v1/events?tenant_id=t1')).toEqual([ids[2], ids[1]]);
    expect(await walk('/v1/events?channel=c1')).toEqual([ids[2], ids[0]]);
    expect(await walk('/v1/events?channel=c1&tenant_id=t1')).toEqual([ids[2]]);

    const middle = published[2].timestamp;
    const since = await column(`SELECT id FROM messages WHERE timestamp >= $1 ORDER BY seq DESC`, [middle]);
    const until = await column(`SELECT id FROM messages WHERE timestamp < $1 ORDER BY seq DESC`, [middle]);
    expect(since).toContain(ids[2]);
    expect(until).not.toContain(ids[2]);
    expect(await walk(`/v1/events?since=${encodeURIComponent(middle)}`)).toEqual(since);
    expect(await walk(`/v1/events?until=${encodeURIComponent(middle)}`)).toEqual(until);
  });

  it('deliveries: newest first, with every filter', async () => {
    const all = await column(`SELECT id FROM deliveries ORDER BY id DESC`);
    expect(all.length).toBeGreaterThan(5);
    expect(await walk('/v1/deliveries')).toEqual(all);

    const filtered = async (where: string, params: unknown[]) => column(`SELECT id FROM deliveries WHERE ${where} ORDER BY id DESC`, params);
    expect(await walk(`/v1/deliveries?endpoint_id=${endpoints.star}`)).toEqual(await filtered('endpoint_id = $1', [endpoints.star]));
    expect(await walk(`/v1/deliveries?event_id=${published[0].id}`)).toEqual(await filtered('message_id = $1', [published[0].id]));
    expect(await walk('/v1/deliveries?event_type=pg.two')).toEqual(await filtered('event_type = $1', ['pg.two']));
    expect(await walk('/v1/deliveries?status=failed')).toEqual([failedDelivery]);
    const middle = published[2].timestamp;
    expect(await walk(`/v1/deliveries?since=${encodeURIComponent(middle)}&event_type=pg.one`))
      .toEqual(await filtered('created_at >= $1 AND event_type = $2', [middle, 'pg.one']));
    expect(await walk('/v1/deliveries?until=2000-01-01T00:00:00Z')).toEqual([]);
  });

  it('attempts: oldest first', async () => {
    const attempts = await walk(`/v1/deliveries/${failedDelivery}/attempts`, (item) => String(item.attempt));
    expect(attempts).toEqual(['1', '2', '3', '4', '5']);
  });

  it('replays: newest first, by endpoint and state', async () => {
    const all = await column(`SELECT id FROM replays ORDER BY id DESC`);
    expect(all).toHaveLength(4);
    expect(await walk('/v1/replays')).toEqual(all);
    expect(await walk(`/v1/replays?endpoint_id=${endpoints.failing}`)).toEqual(all.slice(1));
    const completed = await column(`SELECT id FROM replays WHERE state = 'completed' ORDER BY id DESC`);
    expect(await walk('/v1/replays?state=completed')).toEqual(completed);
  });

  it('refuses a limit out of range, a bad cursor and bad filter values with 400 naming the parameter', async () => {
    const lists = ['/v1/event-types', '/v1/endpoints', '/v1/events', '/v1/deliveries', `/v1/deliveries/${failedDelivery}/attempts`, '/v1/replays'];
    const foreignCursor = Buffer.from(JSON.stringify({ k: 'not-a-number' })).toString('base64url');
    for (const list of lists) {
      expectProblem(await system.request('GET', `${list}?limit=251`), 'limit');
      expectProblem(await system.request('GET', `${list}?limit=0`), 'limit');
      expectProblem(await system.request('GET', `${list}?limit=ten`), 'limit');
      expectProblem(await system.request('GET', `${list}?cursor=garbage`), 'cursor');
      expect((await system.request('GET', `${list}?limit=250`)).status).toBe(200);
    }
    expectProblem(await system.request('GET', `/v1/events?cursor=${foreignCursor}`), 'cursor');
    expectProblem(await system.request('GET', `/v1/deliveries/${failedDelivery}/attempts?cursor=${foreignCursor}`), 'cursor');

    const badFilters: [string, string][] = [
      ['/v1/endpoints?active=maybe', 'active'],
      ['/v1/endpoints?tenant_id=no%20spaces', 'tenant_id'],
      ['/v1/endpoints?event_type=pg.*', 'event_type'],
      ['/v1/events?type=no%20spaces', 'type'],
      ['/v1/events?since=yesterday', 'since'],
      ['/v1/events?until=2024-13-45', 'until'],
      ['/v1/events?channel=', 'channel'],
      ['/v1/deliveries?status=lost', 'status'],
      ['/v1/deliveries?since=soon', 'since'],
      ['/v1/replays?state=paused', 'state'],
      ['/v1/events?unknown=1', 'unknown'],
    ];
    for (const [path, field] of badFilters) expectProblem(await system.request('GET', path), field);
  });
});

import { Client } from 'pg';
import { ApiAnswer, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

const paymentSchema = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'integer', minimum: 0 },
    currency: { type: 'string', enum: ['usd', 'eur'] },
    lines: { type: 'array', items: { type: 'object', required: ['sku'] } },
  },
};

describe('event catalog with JSON Schemas, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let db: Client;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await receiver?.close();
  });

  const expectProblem = (answer: ApiAnswer, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status, detail: expect.any(String) });
  };

  async function createType(body: Record<string, unknown>) {
    const created = await system.request('POST', '/v1/event-types', { body });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function subscribe(path: string, eventTypes: string[]) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: eventTypes } });
    expect(created.status).toBe(201);
  }

  const publish = (event: Record<string, unknown>) => system.request('POST', '/v1/events', { body: event });
  const publishBatch = (events: Record<string, unknown>[]) => system.request('POST', '/v1/events/batch', { body: { events } });

  /** Publishes a valid marker after a refused publish: once the marker arrived, anything accepted before it would have too. */
  async function expectOnlyMarkerDelivered(path: string, refusedIds: string[], type: string, data: Record<string, unknown>) {
    const marker = await publish({ type, data });
    expect(marker.status).toBe(202);
    await receiver.waitFor((requests) => requests.some((r) => r.path === path && r.headers['webhook-id'] === marker.body.id));
    const delivered = receiver.received(path).map((r) => String(r.headers['webhook-id']));
    for (const id of refusedIds) {
      expect(delivered).not.toContain(id);
      expect((await system.request('GET', `/v1/events/${id}`)).status).toBe(404);
    }
  }

  it('creates a type with a schema, shows it, and refuses the same name twice', async () => {
    const created = await createType({ name: 'payment.captured', description: 'A payment was captured', schema: paymentSchema });
    expect(created).toEqual({
      name: 'payment.captured', description: 'A payment was captured', schema: paymentSchema, archived_at: null,
      created_at: expect.any(String), updated_at: expect.any(String),
    });
    expect((await system.request('GET', '/v1/event-types/payment.captured')).body).toEqual(created);
    expectProblem(await system.request('POST', '/v1/event-types', { body: { name: 'payment.captured' } }), 409);
    expectProblem(await system.request('GET', '/v1/event-types/no.such.type'), 404);
  });

  it('refuses an invalid JSON Schema with 422 naming what is wrong, and creates nothing', async () => {
    const wrongType = await system.request('POST', '/v1/event-types', { body: { name: 'bad.schema', schema: { type: 'object', properties: { amount: { type: 'numbr' } } } } });
    expectProblem(wrongType, 422);
    expect(wrongType.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'schema.properties.amount.type' })]));

    const typo = await system.request('POST', '/v1/event-types', { body: { name: 'bad.schema', schema: { type: 'integer', minimun: 0 } } });
    expectProblem(typo, 422);
    expect(typo.body.detail).toMatch(/unknown keyword: "minimun"/);

    const notObject = await system.request('POST', '/v1/event-types', { body: { name: 'bad.schema', schema: 'object' } });
    expectProblem(notObject, 400);
    expect(notObject.body.errors).toEqual([expect.objectContaining({ field: 'schema' })]);
    expectProblem(await system.request('GET', '/v1/event-types/bad.schema'), 404);
  });

  it('runs schema patterns in a linear-time engine: an evil pattern answers at once, lookaround is refused at creation', async () => {
    const evil = '^([a-z0-9]+)*$';
    await createType({ name: 'slug.claimed', schema: { type: 'object', properties: { slug: { type: 'string', pattern: evil } }, patternProperties: { [evil]: { type: 'string' } }, additionalProperties: false } });
    // V8's backtracking engine takes 662 ms at 27 characters and doubles with each one more; RE2 is linear.
    for (const slug of [`${'a'.repeat(27)}!`, `${'a'.repeat(10_000)}!`]) {
      const refused = await publish({ type: 'slug.claimed', data: { slug } });
      expectProblem(refused, 422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'data.slug' })]);
    }
    const badKey = await publish({ type: 'slug.claimed', data: { [`${'a'.repeat(40)}!`]: 1 } });
    expectProblem(badKey, 422);
    expect((await publish({ type: 'slug.claimed', data: { slug: 'a'.repeat(10_000) } })).status).toBe(202);

    // Lookaround needs a backtracking engine: RE2 cannot run it, so the schema is refused.
    const lookahead = await system.request('POST', '/v1/event-types', { body: { name: 'slug.lookahead', schema: { type: 'string', pattern: '^(?=a)a+$' } } });
    expectProblem(lookahead, 422);
    expect(lookahead.body.detail).toMatch(/\(\?=/);
  });

  it('accepts and delivers valid data; refuses invalid data with 422 naming the failing path', async () => {
    await createType({ name: 'refund.issued', schema: paymentSchema });
    await subscribe('/refunds', ['refund.issued']);

    const valid = await publish({ type: 'refund.issued', data: { amount: 100, currency: 'eur' } });
    expect(valid.status).toBe(202);
    await receiver.waitFor((requests) => requests.some((r) => r.headers['webhook-id'] === valid.body.id));

    const invalid = await publish({ id: 'refund-bad-1', type: 'refund.issued', data: { amount: -5, lines: [{ sku: 'A' }, {}] } });
    expectProblem(invalid, 422);
    expect(invalid.body.errors).toEqual(expect.arrayContaining([
      { field: 'data.amount', message: 'must be >= 0' },
      { field: 'data.currency', message: 'is required' },
      { field: 'data.lines.1.sku', message: 'is required' },
    ]));
    expect(invalid.body.detail).toContain('data.amount must be >= 0');

    await expectOnlyMarkerDelivered('/refunds', ['refund-bad-1'], 'refund.issued', { amount: 1, currency: 'usd' });
  });

  it('refuses a whole batch when one element breaks its schema, naming the element', async () => {
    await createType({ name: 'charge.settled', schema: paymentSchema });
    await subscribe('/charges', ['charge.settled']);

    const batch = await publishBatch([
      { id: 'charge-ok-1', type: 'charge.settled', data: { amount: 1, currency: 'usd' } },
      { id: 'uncatalogued-1', type: 'not.in.catalog', data: { anything: true } },
      { id: 'charge-ok-2', type: 'charge.settled', data: { amount: 2, currency: 'eur' } },
      { id: 'charge-bad-3', type: 'charge.settled', data: { amount: 'three', currency: 'usd' } },
    ]);
    expectProblem(batch, 422);
    expect(batch.body.errors).toEqual([{ field: 'events.3.data.amount', message: 'must be integer' }]);

    await expectOnlyMarkerDelivered('/charges', ['charge-ok-1', 'charge-ok-2', 'charge-bad-3', 'uncatalogued-1'], 'charge.settled', { amount: 9, currency: 'usd' });
  });

  it('still accepts types that are not in the catalog, and types without a schema', async () => {
    await createType({ name: 'note.added', description: 'free-form' });
    expect((await publish({ type: 'note.added', data: { anything: ['goes'] } })).status).toBe(202);
    expect((await publish({ type: 'never.catalogued', data: { x: 1 } })).status).toBe(202);
    expect((await publishBatch([{ type: 'never.catalogued', data: {} }, { type: 'note.added', data: { y: 2 } }])).status).toBe(202);
  });

  it('PATCHes the description and schema, and the new schema applies to the next publish', async () => {
    await createType({ name: 'order.shipped', description: 'old', schema: { type: 'object' } });
    expect((await publish({ type: 'order.shipped', data: { carrier: 'ups' } })).status).toBe(202);

    const patched = await system.request('PATCH', '/v1/event-types/order.shipped', {
      body: { description: 'An order left the warehouse', schema: { type: 'object', required: ['tracking'], properties: { tracking: { type: 'string', minLength: 5 } } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: 'An order left the warehouse', schema: { required: ['tracking'] } });

    const refused = await publish({ type: 'order.shipped', data: { carrier: 'ups' } });
    expectProblem(refused, 422);
    expect(refused.body.errors).toEqual([{ field: 'data.tracking', message: 'is required' }]);
    expect((await publish({ type: 'order.shipped', data: { tracking: '1Z999' } })).status).toBe(202);

    const invalidPatch = await system.request('PATCH', '/v1/event-types/order.shipped', { body: { schema: { type: 'object', required: 'tracking' } } });
    expectProblem(invalidPatch, 422);
    expect(invalidPatch.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'schema.required' })]));
    expect((await system.request('GET', '/v1/event-types/order.shipped')).body.schema.required).toEqual(['tracking']);

    const cleared = await system.request('PATCH', '/v1/event-types/order.shipped', { body: { schema: null } });
    expect(cleared.body.schema).toBeNull();
    expect((await publish({ type: 'order.shipped', data: { carrier: 'ups' } })).status).toBe(202);

    expectProblem(await system.request('PATCH', '/v1/event-types/order.missing', { body: { description: 'x' } }), 404);
    expectProblem(await system.request('PATCH', '/v1/event-types/order.shipped', { body: { archived: 'yes' } }), 400);
  });

  it('DELETE archives: GET shows archived_at, the list hides it, publishing is refused, PATCH archived=false restores', async () => {
    await createType({ name: 'legacy.ping', description: 'to be retired' });
    expect((await system.request('DELETE', '/v1/event-types/legacy.ping')).status).toBe(204);
    expect((await system.request('DELETE', '/v1/event-types/legacy.ping')).status).toBe(204);

    const archived = await system.request('GET', '/v1/event-types/legacy.ping');
    expect(archived.body).toMatchObject({ name: 'legacy.ping', description: 'to be retired', archived_at: expect.any(String) });
    const listed = await system.request('GET', '/v1/event-types?limit=250');
    expect(listed.body.data.map((t: { name: string }) => t.name)).not.toContain('legacy.ping');
    const withArchived = await system.request('GET', '/v1/event-types?limit=250&include_archived=true');
    expect(withArchived.body.data.map((t: { name: string }) => t.name)).toContain('legacy.ping');

    const refused = await publish({ type: 'legacy.ping', data: {} });
    expectProblem(refused, 422);
    expect(refused.body.errors).toEqual([{ field: 'type', message: expect.stringContaining('archived') }]);
    const refusedBatch = await publishBatch([{ type: 'note.added', data: {} }, { type: 'legacy.ping', data: {} }]);
    expectProblem(refusedBatch, 422);
    expect(refusedBatch.body.errors).toEqual([{ field: 'events.1.type', message: expect.stringContaining('archived') }]);
    expectProblem(await system.request('POST', '/v1/event-types', { body: { name: 'legacy.ping' } }), 409);

    const restored = await system.request('PATCH', '/v1/event-types/legacy.ping', { body: { archived: false } });
    expect(restored.body.archived_at).toBeNull();
    expect((await publish({ type: 'legacy.ping', data: {} })).status).toBe(202);
  });

  it('records every catalog change in the event store, with the actor', async () => {
    await createType({ name: 'audit.trail', schema: { type: 'object' } });
    await system.request('PATCH', '/v1/event-types/audit.trail', { body: { description: 'now described', schema: { type: 'object', required: ['a'] } } });
    await system.request('DELETE', '/v1/event-types/audit.trail');
    await system.request('PATCH', '/v1/event-types/audit.trail', { body: { archived: false } });
    await system.request('PATCH', '/v1/event-types/audit.trail', { body: { description: 'now described' } }); // no change, no event

    const { rows } = await db.query(`SELECT type, data, metadata FROM events WHERE stream_id = 'event-type-audit.trail' ORDER BY stream_version`);
    expect(rows.map((row) => row.type)).toEqual(['EventTypeCreated', 'EventTypeUpdated', 'EventTypeArchived', 'EventTypeRestored']);
    expect(rows[0].data).toEqual({ name: 'audit.trail', description: '', schema: { type: 'object' } });
    expect(rows[1].data).toEqual({ name: 'audit.trail', changes: { description: 'now described', schema: { type: 'object', required: ['a'] } } });
    expect(rows.every((row) => /^api-key:/.test(row.metadata.actor))).toBe(true);
  });

  it('pages the list by name with an opaque cursor', async () => {
    const names = ['page.a', 'page.b', 'page.c', 'page.d', 'page.e'];
    for (const name of [...names].reverse()) await createType({ name });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : 'limit=2';
      const page = await system.request('GET', `/v1/event-types?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((t: { name: string }) => t.name));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((name) => name.startsWith('page.'))).toEqual(names);
    expect(pages).toBe(Math.ceil(seen.length / 2));
    expectProblem(await system.request('GET', '/v1/event-types?cursor=garbage'), 400);
  });

  it('delivers what was accepted with its data unchanged', async () => {
    await subscribe('/captured', ['payment.captured']);
    const accepted = await publish({ type: 'payment.captured', data: { amount: 4200, currency: 'usd', lines: [{ sku: 'A-1' }] } });
    expect(accepted.status).toBe(202);
    const delivered = await eventually(async () => receiver.received('/captured').find((r) => r.headers['webhook-id'] === accepted.body.id), 'the captured payment');
    expect(JSON.parse(delivered.body).data).toEqual({ amount: 4200, currency: 'usd', lines: [{ sku: 'A-1' }] });
  });
});

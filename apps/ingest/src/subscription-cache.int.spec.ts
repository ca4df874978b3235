import type { TestingModule } from '@nestjs/testing';
import { DataSource, EntityManager } from 'typeorm';
import { newId, Subscription, SubscriptionIndex } from '@hookledger/domain';
import { EndpointProjection, EndpointRow, NewEndpointRow } from '@hookledger/event-store';
import { TestInfrastructure } from '@hookledger/testing';
import { SubscriptionCache } from './subscription-cache';

const TENANTS = 20;
const ENDPOINTS_PER_TENANT = 50;
const TYPES = ['order.created', 'order.paid', 'invoice.sent', 'user.created'];

let infrastructure: TestInfrastructure;
let app: TestingModule;
let db: DataSource;
let endpoints: EndpointProjection;
let cache: SubscriptionCache;

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  app = await infrastructure.compile({ providers: [SubscriptionCache] });
  db = app.get(DataSource);
  endpoints = app.get(EndpointProjection);
  cache = app.get(SubscriptionCache);

  // Many tenants with many endpoints, written in one statement (the stamping trigger runs per row all the same).
  await db.query(`INSERT INTO tenants (id, name) SELECT 'tn_' || t, 'Tenant ' || t FROM generate_series(1, $1) AS t`, [TENANTS]);
  await db.query(
    `INSERT INTO endpoints (id, tenant_id, url, event_types, channels, active, secrets, version)
     SELECT 'ep_' || lpad(t::text, 3, '0') || '_' || lpad(e::text, 3, '0'), 'tn_' || t, 'https://receiver.example/hooks',
            ARRAY[($3::text[])[1 + e % 4]], NULL, true, '[]'::jsonb, 0
       FROM generate_series(1, $1) AS t, generate_series(1, $2) AS e`,
    [TENANTS, ENDPOINTS_PER_TENANT, TYPES],
  );
});

afterAll(async () => {
  await infrastructure?.close();
});

/** One batch's look at the index, counting the queries it made and the endpoint rows it read. */
async function batch(): Promise<{ index: SubscriptionIndex; queries: number; endpointRowsRead: number }> {
  return db.transaction(async (tx) => {
    let queries = 0;
    let endpointRowsRead = 0;
    const counting = new Proxy(tx, {
      get: (target, property) => property !== 'query' ? Reflect.get(target, property) : async (sql: string, params?: unknown[]) => {
        queries++;
        const rows: unknown[] = await target.query(sql, params);
        if (/\bFROM endpoints\b/.test(sql)) endpointRowsRead += rows.length;
        return rows;
      },
    }) as EntityManager;
    const index = await cache.current(counting);
    return { index, queries, endpointRowsRead };
  });
}

/** What a full reload would route each event to: the incremental index must always agree with it. */
async function expectSameRoutingAsAFullReload(index: SubscriptionIndex): Promise<void> {
  const all: Subscription[] = await db.query(
    `SELECT id, tenant_id, event_types, channels, active, filter FROM endpoints WHERE deleted_at IS NULL AND active AND NOT adhoc ORDER BY id`,
  );
  const fresh = new SubscriptionIndex(all);
  expect(index.size).toBe(fresh.size);
  for (let tenant = 1; tenant <= TENANTS; tenant++) {
    for (const type of [...TYPES, 'other.thing']) {
      const event = { type, tenant_id: `tn_${tenant}`, data: { amount: 5 } };
      expect({ event, routed: index.match(event).sort() }).toEqual({ event, routed: fresh.match(event).sort() });
    }
  }
}

const row = (tenant: string, fields: Partial<NewEndpointRow> = {}): NewEndpointRow => ({
  id: newId('ep'), tenant_id: tenant, url: 'https://receiver.example/new', description: '', event_types: ['order.created'], channels: null,
  active: true, headers: {}, retry_schedule: null, timeout_ms: null, rate_limit_per_s: null, metadata: {}, auth: null, filter: null,
  payload_format: 'envelope', signature_profile: 'standard', secrets: [], ...fields,
});

/** Changes the endpoint as the API does: locked, through the projection, with its event. */
const change = (fields: Partial<EndpointRow>) => async (endpoint: EndpointRow) =>
  endpoints.transaction(async (tx) => {
    const current = (await endpoints.lock(tx, endpoint.id))!;
    return endpoints.update(tx, current, { ...current, ...fields }, { type: 'EndpointUpdated', data: {} });
  });

describe('the subscription index ingest keeps', () => {
  let created: EndpointRow;

  it('loads every endpoint once, then reads nothing while no endpoint changed', async () => {
    const first = await batch();
    expect(first.endpointRowsRead).toBe(TENANTS * ENDPOINTS_PER_TENANT);
    await expectSameRoutingAsAFullReload(first.index);

    const next = await batch();
    expect({ queries: next.queries, endpointRowsRead: next.endpointRowsRead }).toEqual({ queries: 1, endpointRowsRead: 0 });
  });

  it('reads only the new endpoint when one is created, and routes to it in the next batch', async () => {
    created = await endpoints.transaction((tx) => endpoints.insert(tx, row('tn_7', { event_types: ['invoice.*'] }), { type: 'EndpointCreated', data: {} }));
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(1);
    expect(index.match({ type: 'invoice.sent', tenant_id: 'tn_7' })).toContain(created.id);
    expect(index.match({ type: 'invoice.sent', tenant_id: 'tn_8' })).not.toContain(created.id);
    await expectSameRoutingAsAFullReload(index);
  });

  it('reads only the changed endpoint when its event types or filter change', async () => {
    created = await change({ event_types: ['order.*'], filter: { amount: { $gt: 1 } } })(created);
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(1);
    expect(index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).toContain(created.id);
    expect(index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 0 } })).not.toContain(created.id);
    expect(index.match({ type: 'invoice.sent', tenant_id: 'tn_7', data: { amount: 5 } })).not.toContain(created.id);
    await expectSameRoutingAsAFullReload(index);
  });

  it('picks up an endpoint whose transaction commits while a batch is running, in the batch after', async () => {
    const writer = db.createQueryRunner();
    await writer.connect();
    await writer.startTransaction();
    try {
      const late = await endpoints.insert(writer.manager, row('tn_9'), { type: 'EndpointCreated', data: {} });
      const during = await batch();
      expect(during.index.match({ type: 'order.created', tenant_id: 'tn_9' })).not.toContain(late.id);
      await writer.commitTransaction();

      const after = await batch();
      expect(after.endpointRowsRead).toBe(1);
      expect(after.index.match({ type: 'order.created', tenant_id: 'tn_9' })).toContain(late.id);
    } finally {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      await writer.release();
    }
  });

  it('reads nothing when a change does not touch routing (a URL, a pause)', async () => {
    created = await change({ url: 'https://receiver.example/moved', paused: true })(created);
    const { queries, endpointRowsRead } = await batch();
    expect({ queries, endpointRowsRead }).toEqual({ queries: 1, endpointRowsRead: 0 });
  });

  it('drops a disabled endpoint and takes it back when enabled, reading only it', async () => {
    created = await change({ active: false, disabled_reason: 'manual' })(created);
    const disabled = await batch();
    expect(disabled.endpointRowsRead).toBe(1);
    expect(disabled.index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).not.toContain(created.id);
    await expectSameRoutingAsAFullReload(disabled.index);

    created = await change({ active: true, disabled_reason: null })(created);
    const enabled = await batch();
    expect(enabled.endpointRowsRead).toBe(1);
    expect(enabled.index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).toContain(created.id);
  });

  it('drops a deleted endpoint, reading only it', async () => {
    const seeded = (await endpoints.find('ep_003_004'))!;
    await endpoints.transaction(async (tx) => endpoints.delete(tx, (await endpoints.lock(tx, seeded.id))!, { type: 'EndpointDeleted', data: {} }));
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(1);
    expect(index.match({ type: TYPES[0], tenant_id: 'tn_3' })).not.toContain('ep_003_004');
    await expectSameRoutingAsAFullReload(index);
  });

  it('reloads everything once when rows are removed outright, since nothing is left to read', async () => {
    await db.query(`DELETE FROM endpoints WHERE id = 'ep_005_001'`);
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBeGreaterThan(ENDPOINTS_PER_TENANT);
    expect(index.match({ type: TYPES[1], tenant_id: 'tn_5' })).not.toContain('ep_005_001');
    await expectSameRoutingAsAFullReload(index);
    expect((await batch()).endpointRowsRead).toBe(0);
  });

  it('never routes to an ad-hoc destination, and creating one reads nothing', async () => {
    const adhoc = await endpoints.transaction((tx) => endpoints.insert(tx, row('tn_2', { event_types: null, adhoc: true }), { type: 'EndpointCreated', data: {} }));
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(0);
    expect(index.match({ type: 'order.created', tenant_id: 'tn_2' })).not.toContain(adhoc.id);
  });
});

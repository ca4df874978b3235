import type { TestingModule } from '@nestjs/testing';
import { DataSource, EntityManager } from 'typeorm';
import { EndpointCommand, endpointStreamId, EndpointSettings, newId, Subscription, SubscriptionIndex } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate } from '@hookledger/event-store';
import { TestInfrastructure } from '@hookledger/testing';
import { SubscriptionCache } from './subscription-cache';

const TENANTS = 20;
const ENDPOINTS_PER_TENANT = 50;
const TYPES = ['order.created', 'order.paid', 'invoice.sent', 'user.created'];

let infrastructure: TestInfrastructure;
let app: TestingModule;
let db: DataSource;
let aggregates: AggregateRepository;
let cache: SubscriptionCache;

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  app = await infrastructure.compile({ providers: [SubscriptionCache] });
  db = app.get(DataSource);
  aggregates = app.get(AggregateRepository);
  cache = app.get(SubscriptionCache);

  // Many tenants with many endpoints, written in one statement (the stamping trigger runs per row all the same).
  await db.query(`INSERT INTO tenants (id, name) SELECT 'tn_' || t, 'Tenant ' || t FROM generate_series(1, $1) AS t`, [TENANTS]);
  await db.query(
    `INSERT INTO endpoints (id, tenant_id, url, event_types, channels, active, version)
     SELECT 'ep_' || lpad(t::text, 3, '0') || '_' || lpad(e::text, 3, '0'), 'tn_' || t, 'https://receiver.example/hooks',
            ARRAY[($3::text[])[1 + e % 4]], NULL, true, 0
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

/** Creates an endpoint as the API does: through the endpoint aggregate, whose inline projector writes the row. */
async function create(tenant: string, settings: Partial<EndpointSettings> = {}, adhoc = false, tx?: EntityManager): Promise<string> {
  const id = newId('ep');
  const command: EndpointCommand = {
    type: 'CreateEndpoint', endpoint_id: id, tenant_id: tenant, settings: { url: 'https://receiver.example/new', event_types: ['order.created'], ...settings },
    auth: null, secret_key_id: newId('key'), adhoc,
  };
  if (tx) await aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), command, {});
  else await aggregates.handle(endpointAggregate, endpointStreamId(id), command, {});
  return id;
}

const run = (command: EndpointCommand) => aggregates.handle(endpointAggregate, endpointStreamId(command.endpoint_id), command, {});

describe('the subscription index ingest keeps', () => {
  let created: string;

  it('loads every endpoint once, then reads nothing while no endpoint changed', async () => {
    const first = await batch();
    expect(first.endpointRowsRead).toBe(TENANTS * ENDPOINTS_PER_TENANT);
    await expectSameRoutingAsAFullReload(first.index);

    const next = await batch();
    expect({ queries: next.queries, endpointRowsRead: next.endpointRowsRead }).toEqual({ queries: 1, endpointRowsRead: 0 });
  });

  it('reads only the new endpoint when one is created, and routes to it in the next batch', async () => {
    created = await create('tn_7', { event_types: ['invoice.*'] });
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(1);
    expect(index.match({ type: 'invoice.sent', tenant_id: 'tn_7' })).toContain(created);
    expect(index.match({ type: 'invoice.sent', tenant_id: 'tn_8' })).not.toContain(created);
    await expectSameRoutingAsAFullReload(index);
  });

  it('reads only the changed endpoint when its event types or filter change', async () => {
    await run({ type: 'UpdateEndpoint', endpoint_id: created, changes: { event_types: ['order.*'], filter: { amount: { $gt: 1 } } } });
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(1);
    expect(index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).toContain(created);
    expect(index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 0 } })).not.toContain(created);
    expect(index.match({ type: 'invoice.sent', tenant_id: 'tn_7', data: { amount: 5 } })).not.toContain(created);
    await expectSameRoutingAsAFullReload(index);
  });

  it('picks up an endpoint whose transaction commits while a batch is running, in the batch after', async () => {
    const writer = db.createQueryRunner();
    await writer.connect();
    await writer.startTransaction();
    try {
      const late = await create('tn_9', {}, false, writer.manager);
      const during = await batch();
      expect(during.index.match({ type: 'order.created', tenant_id: 'tn_9' })).not.toContain(late);
      await writer.commitTransaction();

      const after = await batch();
      expect(after.endpointRowsRead).toBe(1);
      expect(after.index.match({ type: 'order.created', tenant_id: 'tn_9' })).toContain(late);
    } finally {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      await writer.release();
    }
  });

  it('reads nothing when a change does not touch routing (a URL, a pause)', async () => {
    await run({ type: 'UpdateEndpoint', endpoint_id: created, changes: { url: 'https://receiver.example/moved' } });
    await run({ type: 'PauseEndpoint', endpoint_id: created });
    const { queries, endpointRowsRead } = await batch();
    expect({ queries, endpointRowsRead }).toEqual({ queries: 1, endpointRowsRead: 0 });
  });

  it('drops a disabled endpoint and takes it back when enabled, reading only it', async () => {
    await run({ type: 'DisableEndpoint', endpoint_id: created, by: 'operator', reason: 'manual' });
    const disabled = await batch();
    expect(disabled.endpointRowsRead).toBe(1);
    expect(disabled.index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).not.toContain(created);
    await expectSameRoutingAsAFullReload(disabled.index);

    await run({ type: 'EnableEndpoint', endpoint_id: created, by: 'operator' });
    const enabled = await batch();
    expect(enabled.endpointRowsRead).toBe(1);
    expect(enabled.index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).toContain(created);
  });

  it('drops a deleted endpoint, reading only it', async () => {
    await run({ type: 'DeleteEndpoint', endpoint_id: created });
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(1);
    expect(index.match({ type: 'order.paid', tenant_id: 'tn_7', data: { amount: 5 } })).not.toContain(created);
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
    const adhoc = await create('tn_2', { event_types: null }, true);
    const { index, endpointRowsRead } = await batch();
    expect(endpointRowsRead).toBe(0);
    expect(index.match({ type: 'order.created', tenant_id: 'tn_2' })).not.toContain(adhoc);
  });
});

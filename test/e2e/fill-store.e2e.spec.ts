import type { DataSource } from 'typeorm';
import { AggregateRepository, deliveryAggregate, EventStore, PROJECTORS } from '@hookledger/event-store';
import { createTestDatabase, openDataSource, TestDatabase } from '@hookledger/testing';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fillStore } = require('../../bench/fill-store.js') as { fillStore: (url: string, options: { events: number; endpointIds: string[]; log?: (line: string) => void }) => Promise<{ events: number }> };

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDataSource(database, 2);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** Rows of `table`, sorted, as text: to compare a table before and after a rebuild. */
const rowsOf = (table: string) => db.query(`SELECT t::text AS row FROM "${table}" t ORDER BY 1`);

describe('bench/fill-store.js', () => {
  it('writes only events, through the store, and leaves every projection as a rebuild makes it', async () => {
    const lines: string[] = [];
    expect(await fillStore(database.url, { events: 400, endpointIds: ['ep_fill_a', 'ep_fill_b'], log: (line) => lines.push(line) })).toMatchObject({ events: 400 });
    expect(lines.filter((line) => line.includes('projection rebuilt'))).toHaveLength(PROJECTORS.length);

    // Every stream's version is its event count and its hash chain verifies: the store's own append wrote them.
    const streams: { type: string; version: number; events: number; broken: number | null }[] = await db.query(
      `SELECT s.type, s.version, (SELECT count(*)::int FROM events e WHERE e.stream_id = s.stream_id) AS events, hl_verify_stream(s.stream_id) AS broken
         FROM streams s WHERE s.stream_id LIKE '%fill%'`);
    expect(streams).toHaveLength(200);
    expect(streams.every((s) => s.version === s.events && s.broken === null && s.version === (s.type === 'message' ? 1 : 3))).toBe(true);

    // A filled delivery takes its next event at the version its stream is at (the HL409 of the old fill).
    const appended = await db.transaction((tx) => new EventStore([]).append(tx, [
      { streamId: 'delivery-dlv_fill0000000007', streamType: 'delivery', expectedVersion: 3, events: [{ type: 'FillChecked', data: {} }] },
    ]));
    expect(appended[0].streamVersion).toBe(4);

    // The projections hold exactly what a rebuild from the store gives.
    const tables = PROJECTORS.flatMap((projector) => projector.tables);
    const before = await Promise.all(tables.map(rowsOf));
    await fillStore(database.url, { events: 0, endpointIds: ['ep_fill_a'], log: () => undefined });
    expect(await Promise.all(tables.map(rowsOf))).toEqual(before);

    // Retrying a filled failed delivery goes through its aggregate as the retry route's handler does:
    // loaded, decided and appended at the version the projection shows, which the next attempt then expects.
    const [failed]: { id: string; version: number }[] = await db.query(`SELECT id, version FROM deliveries WHERE status = 'failed' ORDER BY id LIMIT 1`);
    expect(failed.version).toBe(3);
    const handled = await new AggregateRepository(db, new EventStore()).handle(
      deliveryAggregate, `delivery-${failed.id}`, { type: 'RequeueDelivery', data: { replay_id: null } }, { actor: 'test' });
    expect(handled.events.map((event) => event.type)).toEqual(['DeliveryRequeued']);
    expect(await db.query(`SELECT version, attempts FROM deliveries WHERE id = $1`, [failed.id])).toEqual([{ version: 4, attempts: 1 }]);
  });
});

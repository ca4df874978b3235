import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { deliveryScheduled, deliveryStreamId, plaintextMessageReceived, messageStreamId } from '@hookledger/domain';
import { dataSourceOptions, EventStore } from '@hookledger/event-store';
import { migrations } from './index';

const server = process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `hl_m35_${randomBytes(5).toString('hex')}`;
let admin: DataSource;
let db: DataSource;

/** A database migrated only up to (not including) this migration, as today's installations are. */
beforeAll(async () => {
  admin = new DataSource({ type: 'postgres', url: `${server}/postgres` });
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${name}`);
  const before = migrations.findIndex((migration) => migration.name === 'MessageDeliveryProjections1732400000035');
  db = new DataSource({ ...dataSourceOptions({ url: `${server}/${name}`, poolSize: 2 }), migrations: migrations.slice(0, before) });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
});

afterAll(async () => {
  await db?.destroy();
  await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.destroy();
});

describe('upgrading messages and deliveries to projections in place', () => {
  it('gives messages the seq of their event, and held-then-published deliveries their due_at back with a claim', async () => {
    // As the code before this migration wrote: events beside hand-written rows (the store alone, no projector).
    const store = new EventStore([]);
    await db.transaction(async (tx) => {
      await store.append(tx, [{ streamId: 'filler-1', streamType: 'filler', expectedVersion: 0, events: [{ type: 'Filler', data: {} }] }]);
      await store.append(tx, [
        { streamId: messageStreamId('default', 'm-1'), streamType: 'message', expectedVersion: 0, events: [plaintextMessageReceived({ id: 'm-1', type: 'a.b', timestamp: new Date(), tenant_id: 'default', payload: '{"x":1}' })] },
        ...['dlv_retry', 'dlv_done'].map((id) => ({
          streamId: deliveryStreamId(id), streamType: 'delivery', expectedVersion: 0,
          events: [deliveryScheduled({ delivery_id: id, message_id: 'm-1', endpoint_id: `ep_${id}`, event_type: 'a.b', tenant_id: 'default' })],
        })),
      ]);
      await store.append(tx, [{
        streamId: deliveryStreamId('dlv_retry'), streamType: 'delivery', expectedVersion: 1,
        events: [{ type: 'DeliveryRetryScheduled', data: { attempt: 1, next_attempt_at: '2024-01-01T00:00:05.000Z', reason: 'http_5xx' } }],
      }]);
      await tx.query(`INSERT INTO messages (id, tenant_id, type, data, timestamp) VALUES ('m-1', 'default', 'a.b', '{"x":1}', now())`);
      // The scheduler published dlv_retry's dispatch and cleared its due_at by hand.
      await tx.query(`INSERT INTO deliveries (id, message_id, endpoint_id, event_type, status, attempts, version, due_at)
                      VALUES ('dlv_retry', 'm-1', 'ep_dlv_retry', 'a.b', 'retrying', 1, 2, NULL), ('dlv_done', 'm-1', 'ep_dlv_done', 'a.b', 'pending', 0, 1, NULL)`);
    });
    const [{ seq: before }] = await db.query(`SELECT seq FROM messages`);
    const [{ position }] = await db.query(`SELECT global_position AS position FROM events WHERE type = 'MessageReceived'`);
    expect(before).not.toBe(position);

    await db.destroy();
    // Up to 069, which seals this plaintext payload: its own spec upgrades such a store.
    const sealing = migrations.findIndex((migration) => migration.name === 'SealLegacyPayloads1732400000069');
    db = new DataSource({ ...dataSourceOptions({ url: `${server}/${name}`, poolSize: 2 }), migrations: migrations.slice(0, sealing) });
    await db.initialize();
    expect((await db.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toContain('MessageDeliveryProjections1732400000035');

    expect(await db.query(`SELECT seq FROM messages`)).toEqual([{ seq: position }]);
    expect(await db.query(`SELECT id, due_at FROM deliveries ORDER BY id`)).toEqual([
      { id: 'dlv_done', due_at: null }, { id: 'dlv_retry', due_at: new Date('2024-01-01T00:00:05.000Z') },
    ]);
    expect(await db.query(`SELECT delivery_id, version FROM delivery_dispatch_claims`)).toEqual([{ delivery_id: 'dlv_retry', version: 2 }]);
    // seq is no longer drawn by the table: the projector writes it.
    expect(await db.query(`SELECT is_identity FROM information_schema.columns WHERE table_name = 'messages' AND column_name = 'seq'`)).toEqual([{ is_identity: 'NO' }]);
  });
});

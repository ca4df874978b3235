import type { TestingModule } from '@nestjs/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { operationalEvent } from '@hookledger/contracts';
import { Outbox } from '@hookledger/event-store';
import { natsUrl, TestInfrastructure } from '@hookledger/testing';
import { OutboxRelay } from './outbox-relay';

let infrastructure: TestInfrastructure;
let app: TestingModule;
let db: DataSource;

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  app = await infrastructure.compile({ name: 'test-outbox-relay', providers: [OutboxRelay] });
  db = app.get(DataSource);
});

afterAll(() => infrastructure?.close());

/** What the EVENTS stream holds: subject, msgID and body of each message. */
async function streamed(): Promise<{ subject: string; msgId: string; body: { id: string; type: string; data: unknown } }[]> {
  const nc = await connect({ servers: natsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = infrastructure.topology.streams.events;
    const { state } = await jsm.streams.info(stream);
    const seqs = Array.from({ length: Math.max(0, state.last_seq - state.first_seq + 1) }, (_, i) => state.first_seq + i);
    const messages = await Promise.all(seqs.map((seq) => jsm.streams.getMessage(stream, { seq })));
    return messages.filter((m) => m !== null).map((m) => ({ subject: m!.subject, msgId: m!.header.get('Nats-Msg-Id'), body: m!.json() }));
  } finally {
    await nc.close();
  }
}

describe('the outbox relay', () => {
  it('publishes a batch row (Outbox.addMany) as one message per event, on its subject with its id as msgID, like rows of one; then deletes it', async () => {
    const tenant = 'relay_tenant';
    const many = Array.from({ length: 5 }, (_, n) => operationalEvent(n % 2 ? 'delivery.failed' : 'delivery.succeeded', { tenant_id: tenant, n }));
    const single = operationalEvent('delivery.exhausted', { tenant_id: tenant, n: 99 });
    const outbox = app.get(Outbox);
    await db.transaction(async (tx) => {
      await outbox.addMany(tx, many);
      await outbox.addMany(tx, [single]);
    });
    expect(await db.query(`SELECT count(*)::int AS rows FROM outbox`)).toEqual([{ rows: 2 }]);

    while (await (app.get(OutboxRelay) as unknown as { tick(): Promise<boolean> }).tick());

    expect(await db.query(`SELECT count(*)::int AS rows FROM outbox`)).toEqual([{ rows: 0 }]);
    const published = (await streamed()).filter((m) => (m.body.data as { tenant_id?: string }).tenant_id === tenant);
    expect(published).toEqual([...many, single].map((event) => ({
      subject: infrastructure.topology.subjects.eventFor(event.type),
      msgId: event.id,
      body: JSON.parse(JSON.stringify(event)),
    })));
  });

  it('publishes a row again after a crash before its delete under the same msgIDs: the stream keeps each event once', async () => {
    const tenant = 'relay_replayed';
    const many = Array.from({ length: 3 }, (_, n) => operationalEvent('delivery.succeeded', { tenant_id: tenant, n }));
    await db.transaction((tx) => app.get(Outbox).addMany(tx, many));
    const [row] = await db.query(`SELECT id, subject, payload FROM outbox`);
    while (await (app.get(OutboxRelay) as unknown as { tick(): Promise<boolean> }).tick());
    // The relay died after publishing, before its delete committed: the row is back.
    await db.query(`INSERT INTO outbox (id, subject, payload) VALUES ($1, $2, $3::jsonb)`, [row.id, row.subject, JSON.stringify(row.payload)]);
    while (await (app.get(OutboxRelay) as unknown as { tick(): Promise<boolean> }).tick());

    const published = (await streamed()).filter((m) => (m.body.data as { tenant_id?: string }).tenant_id === tenant);
    expect(published.map((m) => m.msgId)).toEqual(many.map((event) => event.id));
  });
});

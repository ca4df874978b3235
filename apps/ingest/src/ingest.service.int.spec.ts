import { DEFAULT_TENANT } from '@hookledger/domain';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { dispatchBatchMessageId, IngestCommand } from '@hookledger/contracts';
import type { InboundMessage } from '@hookledger/messaging';
import { TenantDataKeys } from '@hookledger/secrets';
import { DispatchRecorder, PublishedDispatch, TestInfrastructure } from '@hookledger/testing';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { SubscriptionCache } from './subscription-cache';

let infrastructure: TestInfrastructure;
let app: TestingModule;
let db: DataSource;
let ingest: IngestService;
/** Every publish, duplicates included: JetStream dedup hides them from the stream, not from here. */
let dispatches: DispatchRecorder;

/** Records how the service settled it; a second settlement would show up as a second entry. */
class FakeMessage implements InboundMessage {
  readonly msgId = null;
  readonly streamSequence = 0;
  readonly settlements: string[] = [];
  constructor(readonly data: unknown, readonly redeliveryCount = 0, readonly subject = infrastructure.topology.subjects.ingest) {}
  get settled(): boolean {
    return this.settlements.length > 0;
  }
  ack(): void {
    this.settlements.push('ack');
  }
  nak(): void {
    this.settlements.push('nak');
  }
  term(): void {
    this.settlements.push('term');
  }
  working(): void {}
}

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  app = await infrastructure.compile({ providers: [IngestService, IngestRepository, SubscriptionCache] });
  await app.init();
  db = app.get(DataSource);
  ingest = app.get(IngestService);
  dispatches = await DispatchRecorder.start(infrastructure.topology);
});

afterAll(async () => {
  await dispatches?.close();
  await infrastructure?.close();
});

let sequence = 0;
function command(type: string, overrides: Partial<IngestCommand> = {}): IngestCommand {
  const id = `msg_${infrastructure.namespace}_${++sequence}`;
  return { v: 1, id, type, timestamp: '2024-05-01T12:00:00.000Z', data: { n: sequence }, tenant_id: null, channels: null, ...overrides };
}

/** The messages' payload texts, opened with their tenant's data key: ingest stores them sealed only. */
async function openedPayloads(ids: readonly string[]): Promise<{ id: string; data: string | null }[]> {
  const rows: { id: string; tenant_id: string; data: unknown; sealed_data: string }[] = await db.query(
    `SELECT id, tenant_id, data, sealed_data FROM messages WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C", tenant_id`, [ids]);
  expect(rows.every((row) => row.data === null)).toBe(true);
  const opened = await app.get(TenantDataKeys).openMany(rows.map((row) => ({ sealed: row.sealed_data, tenantId: row.tenant_id, context: `message:${row.tenant_id}/${row.id}` })));
  return rows.map((row, n) => ({ id: row.id, data: opened[n].text }));
}

async function handle(commands: readonly unknown[], redeliveryCount = 0): Promise<FakeMessage[]> {
  const messages = commands.map((data) => new FakeMessage(data, redeliveryCount));
  await ingest.handleBatch(messages);
  return messages;
}

async function createEndpoint(id: string, fields: { event_types: string[]; tenant_id?: string; channels?: string[]; active?: boolean }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO endpoints (id, tenant_id, url, event_types, channels, active, version)
       VALUES ($1, $2, 'https://receiver.example/hooks', $3, $4, $5, 1)`,
      [id, fields.tenant_id ?? DEFAULT_TENANT, fields.event_types, fields.channels ?? null, fields.active ?? true],
    );
    await tx.query(`UPDATE subscription_index SET version = version + 1 WHERE id = 1`);
  });
}

async function deliveriesOf(messageIds: readonly string[]): Promise<{ id: string; message_id: string; endpoint_id: string; status: string; attempts: number; version: number }[]> {
  return db.query(
    `SELECT id, message_id, endpoint_id, status, attempts, version FROM deliveries WHERE message_id = ANY($1::text[]) ORDER BY message_id COLLATE "C", endpoint_id COLLATE "C"`,
    [messageIds],
  );
}

async function routedTo(messageId: string): Promise<string[]> {
  return (await deliveriesOf([messageId])).map((delivery) => delivery.endpoint_id);
}

async function publishedFor(deliveryIds: readonly string[]): Promise<PublishedDispatch[]> {
  const wanted = new Set(deliveryIds);
  return (await dispatches.published()).filter((p) => wanted.has(p.command.delivery_id));
}

async function tableCounts(): Promise<Record<string, number>> {
  const [row] = await db.query(
    `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM deliveries)::int AS deliveries,
            (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM streams)::int AS streams`,
  );
  return row;
}

describe('handling a batch of ingest commands', () => {
  const N = 50;
  beforeAll(async () => {
    await createEndpoint('ep_orders_all', { event_types: ['order.*'] });
    await createEndpoint('ep_orders_created', { event_types: ['order.created'] });
  });

  it('stores each message once, schedules a delivery per matching endpoint, dispatches them, then acks', async () => {
    const batch = Array.from({ length: N }, () => command('order.created'));

    const messages = await handle(batch);

    const ids = batch.map((c) => c.id);
    expect(await db.query(`SELECT id FROM messages WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C"`, [ids])).toEqual([...ids].sort().map((id) => ({ id })));
    const deliveries = await deliveriesOf(ids);
    expect(deliveries).toHaveLength(2 * N);
    expect(deliveries.map((d) => [d.message_id, d.endpoint_id])).toEqual(
      [...ids].sort().flatMap((id) => [[id, 'ep_orders_all'], [id, 'ep_orders_created']]),
    );
    // The fan-out is recorded on the message (MessageReceived v5): the deliveries' streams start with their first attempt.
    expect(deliveries.every((d) => d.status === 'pending' && d.attempts === 0 && d.version === 0)).toBe(true);

    const streamIds = [...ids.map((id) => `message-default/${id}`), ...deliveries.map((d) => `delivery-${d.id}`)];
    expect(await db.query(`SELECT type, schema_version, count(*)::int AS count FROM events WHERE stream_id = ANY($1::text[]) GROUP BY 1, 2`, [streamIds])).toEqual([
      { type: 'MessageReceived', schema_version: 5, count: N },
    ]);
    const fannedOut: { id: string; deliveries: { delivery_id: string; endpoint_id: string }[] }[] = await db.query(
      `SELECT data->>'id' AS id, data->'deliveries' AS deliveries FROM events WHERE stream_id = ANY($1::text[])`, [streamIds],
    );
    expect(fannedOut.flatMap((m) => m.deliveries.map((d) => [m.id, d.endpoint_id, d.delivery_id])).sort())
      .toEqual(deliveries.map((d) => [d.message_id, d.endpoint_id, d.id]).sort());
    expect(await db.query(`SELECT version, count(*)::int AS count FROM streams WHERE stream_id = ANY($1::text[]) GROUP BY version`, [streamIds])).toEqual([
      { version: 1, count: N },
    ]);

    const deliveryIds = deliveries.map((d) => d.id).sort();
    const stored = (await dispatches.stored()).filter((c) => deliveryIds.includes(c.delivery_id));
    expect(stored.map((c) => c.delivery_id).sort()).toEqual(deliveryIds);
    expect(stored.every((c) => c.attempt === 1 && c.trigger === 'scheduled')).toBe(true);
    // One v2 command carries the batch's deliveries, keyed by them at their versions.
    const sent = await publishedFor(deliveryIds);
    expect(sent.every((p) => p.batch === 2 * N && p.msgId === sent[0].msgId)).toBe(true);
    expect(sent[0].msgId).toBe(dispatchBatchMessageId(sent.map((p) => ({ id: p.command.delivery_id, version: 0 }))));
    expect(messages.map((m) => m.settlements)).toEqual(batch.map(() => ['ack']));
  });

  it('changes nothing when the same batch is replayed after a crash: the same dispatch command, dropped by JetStream; once one was attempted, only the unattempted ones again', async () => {
    const batch = Array.from({ length: N }, () => command('order.created'));
    await handle(batch);
    const ids = batch.map((c) => c.id);
    const deliveryIds = (await deliveriesOf(ids)).map((d) => d.id).sort();
    const before = await tableCounts();
    const first = await publishedFor(deliveryIds);

    // Replayed before any attempt: the same deliveries at the same versions, the same msgID.
    const replayed = await handle(batch, 1);
    expect(await tableCounts()).toEqual(before);
    expect(replayed.map((m) => m.settlements)).toEqual(batch.map(() => ['ack']));
    const again = (await publishedFor(deliveryIds)).slice(first.length);
    expect(again.map((p) => p.command.delivery_id).sort()).toEqual(deliveryIds);
    expect(again.every((p) => p.msgId === first[0].msgId)).toBe(true);
    expect((await dispatches.stored()).filter((c) => deliveryIds.includes(c.delivery_id))).toHaveLength(2 * N);

    // One delivery the dispatcher already tried: a replay must not send it again as attempt 1.
    const attempted = deliveryIds[0];
    await db.query(`UPDATE deliveries SET status = 'retrying', attempts = 1, version = 3 WHERE id = $1`, [attempted]);
    await handle(batch, 2);
    expect(await tableCounts()).toEqual(before);
    const third = (await publishedFor(deliveryIds)).slice(2 * first.length);
    expect(third.map((p) => p.command.delivery_id).sort()).toEqual(deliveryIds.slice(1));
    expect(third.every((p) => p.command.attempt === 1 && p.msgId === dispatchBatchMessageId(third.map((q) => ({ id: q.command.delivery_id, version: 0 }))))).toBe(true);
  });

  it('stores the payload sealed only, and seals again when another process destroyed the key this one had cached (an erasure)', async () => {
    const before = command('order.created', { data: { secret: 'before-erasure' } });
    await handle([before]);
    // Another process's erasure: this one's cache still holds the key.
    await db.query(`UPDATE tenant_data_keys SET wrapped = NULL, destroyed_at = now(), destroyed_for = 'erasure' WHERE tenant_id = $1 AND destroyed_at IS NULL`, [DEFAULT_TENANT]);
    const after = command('order.created', { data: { secret: 'after-erasure' } });
    const messages = await handle([after]);

    expect(messages[0].settlements).toEqual(['ack']);
    expect(await openedPayloads([after.id])).toEqual([{ id: after.id, data: '{"secret":"after-erasure"}' }]);
    const [{ plaintext }] = await db.query(`SELECT count(*)::int AS plaintext FROM events WHERE events::text LIKE '%-erasure%'`);
    expect(plaintext).toBe(0);
  });

  it('treats the same id twice in one batch as one event, the first one winning, and acks both', async () => {
    const first = command('order.created', { data: { version: 'first' } });
    const retry = { ...first, data: { version: 'retry' } };
    const other = command('order.created');

    const messages = await handle([first, retry, other]);

    expect(await openedPayloads([first.id, other.id])).toEqual([
      { id: first.id, data: JSON.stringify({ version: 'first' }) },
      { id: other.id, data: JSON.stringify(other.data) },
    ]);
    expect(await routedTo(first.id)).toEqual(['ep_orders_all', 'ep_orders_created']);
    expect(await db.query(`SELECT count(*)::int AS count FROM events WHERE stream_id = $1`, [`message-default/${first.id}`])).toEqual([{ count: 1 }]);
    expect(messages.map((m) => m.settlements)).toEqual([['ack'], ['ack'], ['ack']]);
  });

  it('terminates malformed commands without acking them, and still stores the rest of the batch', async () => {
    const good = [command('order.created'), command('order.created')];
    const notAnObject = command('order.created', { data: 'not an object' as unknown as Record<string, unknown> });
    const { type: _missing, ...untyped } = command('order.created');
    const bad = [notAnObject, untyped, new Error('Unexpected token < in JSON at position 0'), 42];

    const messages = await handle([good[0], ...bad, good[1]]);

    expect(messages.map((m) => m.settlements)).toEqual([['ack'], ['term'], ['term'], ['term'], ['term'], ['ack']]);
    expect(await db.query(`SELECT id FROM messages WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C"`, [[notAnObject.id, untyped.id, ...good.map((c) => c.id)]])).toEqual(
      good.map((c) => c.id).sort().map((id) => ({ id })),
    );
    expect(await deliveriesOf(good.map((c) => c.id))).toHaveLength(4);
  });
});

describe('routing to endpoints', () => {
  it('sees an endpoint created between two batches, and never routes to an inactive one', async () => {
    const before = command('user.signed_up');
    await handle([before]);
    expect(await routedTo(before.id)).toEqual([]);

    await createEndpoint('ep_users', { event_types: ['user.*'] });
    await createEndpoint('ep_users_inactive', { event_types: ['user.*'], active: false });
    const after = command('user.signed_up');
    await handle([after]);

    expect(await routedTo(after.id)).toEqual(['ep_users']);
    expect(await routedTo(before.id)).toEqual([]);
  });

  it('routes an event only to endpoints of its tenant, and honours channels', async () => {
    await createEndpoint('ep_plan_acme', { event_types: ['plan.changed'], tenant_id: 'acme' });
    await createEndpoint('ep_plan_acme_billing', { event_types: ['plan.*'], tenant_id: 'acme', channels: ['billing'] });
    await createEndpoint('ep_plan_globex', { event_types: ['plan.changed'], tenant_id: 'globex' });
    await createEndpoint('ep_plan_untenanted', { event_types: ['plan.changed'] });
    const acme = command('plan.changed', { tenant_id: 'acme' });
    const acmeBilling = command('plan.changed', { tenant_id: 'acme', channels: ['billing', 'ops'] });
    const acmeOps = command('plan.changed', { tenant_id: 'acme', channels: ['ops'] });
    const untenanted = command('plan.changed');

    await handle([acme, acmeBilling, acmeOps, untenanted]);

    expect(await routedTo(acme.id)).toEqual(['ep_plan_acme']);
    expect(await routedTo(acmeBilling.id)).toEqual(['ep_plan_acme', 'ep_plan_acme_billing']);
    expect(await routedTo(acmeOps.id)).toEqual(['ep_plan_acme']);
    expect(await routedTo(untenanted.id)).toEqual(['ep_plan_untenanted']);
    expect(await db.query(`SELECT DISTINCT tenant_id FROM deliveries WHERE message_id = ANY($1::text[]) ORDER BY tenant_id`, [[acme.id, acmeBilling.id, acmeOps.id]])).toEqual([
      { tenant_id: 'acme' },
    ]);
  });

  it("keeps two tenants' events with the same id apart, in one batch or in two, and each stays idempotent", async () => {
    await createEndpoint('ep_refund_acme', { event_types: ['refund.issued'], tenant_id: 'acme' });
    await createEndpoint('ep_refund_globex', { event_types: ['refund.issued'], tenant_id: 'globex' });
    const globex = command('refund.issued', { tenant_id: 'globex', data: { from: 'globex' } });
    const acme = { ...globex, tenant_id: 'acme', data: { from: 'acme' } };

    await handle([globex]);
    const messages = await handle([acme, { ...acme, data: { from: 'acme retry' } }, globex]);

    expect(messages.map((m) => m.settlements)).toEqual([['ack'], ['ack'], ['ack']]);
    expect(await openedPayloads([globex.id])).toEqual([
      { id: globex.id, data: '{"from":"acme"}' },
      { id: globex.id, data: '{"from":"globex"}' },
    ]);
    expect(await db.query(`SELECT tenant_id, endpoint_id FROM deliveries WHERE message_id = $1 ORDER BY tenant_id`, [globex.id])).toEqual([
      { tenant_id: 'acme', endpoint_id: 'ep_refund_acme' },
      { tenant_id: 'globex', endpoint_id: 'ep_refund_globex' },
    ]);
    expect(await db.query(`SELECT stream_id FROM events WHERE type = 'MessageReceived' AND data->>'id' = $1 ORDER BY stream_id`, [globex.id])).toEqual([
      { stream_id: `message-acme/${globex.id}` },
      { stream_id: `message-globex/${globex.id}` },
    ]);
  });
});

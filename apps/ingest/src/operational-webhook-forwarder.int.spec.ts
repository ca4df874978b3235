import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { operationalEvent, OperationalEventName } from '@hookledger/contracts';
import { JetStreamPublisher, PublishRequest } from '@hookledger/messaging';
import { TenantDataKeys } from '@hookledger/secrets';
import { TestInfrastructure } from '@hookledger/testing';
import { IngestConsumer } from './ingest.consumer';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { OperationalWebhookForwarder } from './operational-webhook-forwarder';
import { SubscriptionCache } from './subscription-cache';

let infrastructure: TestInfrastructure;
let app: TestingModule;
let db: DataSource;
let publisher: JetStreamPublisher;

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  app = await infrastructure.compile({
    providers: [IngestService, IngestRepository, SubscriptionCache, IngestConsumer, OperationalWebhookForwarder],
    env: { HOOKS_INGEST_BATCH_SIZE: '50' },
  });
  await app.init();
  db = app.get(DataSource);
  publisher = app.get(JetStreamPublisher);
  await createEndpoint('ep_acme_ops', 'acme', ['hookledger.endpoint.disabled']);
  await createEndpoint('ep_acme_all', 'acme', null);
  await createEndpoint('ep_acme_star', 'acme', ['*']);
  await createEndpoint('ep_globex_ops', 'globex', ['hookledger.*']);
});

afterAll(async () => {
  await infrastructure?.close();
});

async function createEndpoint(id: string, tenantId: string, eventTypes: string[] | null): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO endpoints (id, tenant_id, url, event_types, active, version) VALUES ($1, $2, 'https://receiver.example/hooks', $3, true, 1)`,
      [id, tenantId, eventTypes],
    );
    await tx.query(`UPDATE subscription_index SET version = version + 1 WHERE id = 1`);
  });
}

/** Publishes as the outbox relay does: on `<ns>.evt.<type>`, the event id as msgID (unless a redelivery past the dedup window is wanted). */
async function announce<T extends OperationalEventName>(type: T, data: Record<string, unknown>, msgID?: string) {
  const event = operationalEvent(type, data);
  await publisher.publish(infrastructure.topology.subjects.eventFor(type), event, msgID ?? event.id);
  return event;
}

async function storedMessage(id: string): Promise<{ id: string; tenant_id: string; type: string; data: Record<string, unknown> } | undefined> {
  const [row]: { id: string; tenant_id: string; type: string; sealed_data: string }[] = await db.query(
    `SELECT id, tenant_id, type, sealed_data FROM messages WHERE id = $1`, [id]);
  if (!row) return undefined;
  const [opened] = await app.get(TenantDataKeys).openMany([{ sealed: row.sealed_data, tenantId: row.tenant_id, context: `message:${row.tenant_id}/${row.id}` }]);
  return { id: row.id, tenant_id: row.tenant_id, type: row.type, data: JSON.parse(opened.text as string) };
}

async function routedTo(messageId: string): Promise<string[]> {
  const rows: { endpoint_id: string }[] = await db.query(`SELECT endpoint_id FROM deliveries WHERE message_id = $1 ORDER BY endpoint_id`, [messageId]);
  return rows.map((row) => row.endpoint_id);
}

async function messageCount(id: string): Promise<number> {
  const [row]: { count: number }[] = await db.query(`SELECT count(*)::int AS count FROM messages WHERE id = $1`, [id]);
  return row.count;
}

describe('forwarding operational events as hookledger.* webhooks', () => {
  it('stores an endpoint.disabled of acme as a hookledger.endpoint.disabled message of acme, routed only to the endpoint that names it', async () => {
    const event = await announce('endpoint.disabled', { tenant_id: 'acme', endpoint_id: 'ep_acme_all', reason: 'the endpoint answered 410 Gone', by: 'system' });

    const message = await eventually(() => storedMessage(event.id), 'the forwarded message');
    expect(message).toEqual({
      id: event.id, tenant_id: 'acme', type: 'hookledger.endpoint.disabled',
      data: { tenant_id: 'acme', endpoint_id: 'ep_acme_all', reason: 'the endpoint answered 410 Gone', by: 'system', occurred_at: event.occurred_at },
    });
    expect(await eventually(async () => ((await routedTo(event.id)).length > 0 ? routedTo(event.id) : undefined), 'its delivery')).toEqual(['ep_acme_ops']);
  });

  it('stores nothing for a tenant none of whose endpoints subscribes to the type, nor for an outcome of an operational webhook', async () => {
    const unsubscribed = await announce('endpoint.enabled', { tenant_id: 'acme', endpoint_id: 'ep_acme_all', by: 'operator' });
    const nobody = await announce('delivery.succeeded', { tenant_id: 'initech', delivery_id: 'dlv_1', event_type: 'invoice.paid', endpoint_id: 'ep_x' });
    const loop = await announce('delivery.exhausted', { tenant_id: 'globex', delivery_id: 'dlv_2', event_type: 'hookledger.endpoint.disabled', endpoint_id: 'ep_globex_ops' });
    const system = await announce('ledger.checkpoint', { seq: 1 });
    // The witness: announced after them, forwarded; the forwarder and ingest take the stream in order.
    const witness = await announce('delivery.exhausted', { tenant_id: 'globex', delivery_id: 'dlv_3', event_type: 'invoice.paid', endpoint_id: 'ep_globex_ops' });

    await eventually(() => storedMessage(witness.id), 'the witness');
    expect(await routedTo(witness.id)).toEqual(['ep_globex_ops']);
    for (const skipped of [unsubscribed, nobody, loop, system]) expect(await messageCount(skipped.id)).toBe(0);
  });

  it('forwards an event again when publishing failed, and a redelivered event is stored and delivered once', async () => {
    const ingestSubject = infrastructure.topology.subjects.ingest;
    const publishMany = publisher.publishMany.bind(publisher);
    let failed = 0;
    const spy = jest.spyOn(publisher, 'publishMany').mockImplementation(async (requests: readonly PublishRequest[], maxInFlight?: number) => {
      if (failed === 0 && requests.some((request) => request.subject === ingestSubject)) {
        failed++;
        throw new Error('JetStream did not answer');
      }
      return publishMany(requests, maxInFlight);
    });
    try {
      const event = await announce('endpoint.disabled', { tenant_id: 'globex', endpoint_id: 'ep_globex_other', reason: 'disabled by an operator', by: 'operator' });
      await eventually(() => storedMessage(event.id), 'the message, after the failed publish');
      expect(failed).toBe(1);

      // The same event again, past JetStream's dedup window (another msgID): the same message id, so nothing new.
      await publisher.publish(infrastructure.topology.subjects.eventFor('endpoint.disabled'), event, `${event.id}:redelivered`);
      const witness = await announce('endpoint.disabled', { tenant_id: 'globex', endpoint_id: 'ep_witness', reason: 'x', by: 'operator' });
      await eventually(() => storedMessage(witness.id), 'the witness');
      expect(await messageCount(event.id)).toBe(1);
      expect(await routedTo(event.id)).toEqual(['ep_globex_ops']);
    } finally {
      spy.mockRestore();
    }
  });
});

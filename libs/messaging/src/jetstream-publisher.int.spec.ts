import type { TestingModule } from '@nestjs/testing';
import { operationalEvent, OperationalEvent } from '@hookledger/contracts';
import { JetStreamPublisher } from './jetstream-publisher';
import { MessagingHealth } from './messaging-health';
import { NatsObserver, observe, startMessaging, uniqueNamespace } from './messaging.test-harness';

let nats: NatsObserver;
let app: TestingModule;
let publisher: JetStreamPublisher;

beforeEach(async () => {
  const namespace = uniqueNamespace();
  nats = await observe(namespace);
  app = await startMessaging(namespace);
  publisher = app.get(JetStreamPublisher);
});

afterEach(async () => {
  await app.close();
  await nats.close();
});

async function storedMessages(stream: string): Promise<number> {
  return (await nats.jsm.streams.info(stream)).state.messages;
}

describe('publishing to JetStream', () => {
  it('stores a message once when the same msgID is published twice', async () => {
    const first = await publisher.publish(nats.topology.subjects.ingest, { id: 'msg_1' }, 'msg_1');
    const second = await publisher.publish(nats.topology.subjects.ingest, { id: 'msg_1' }, 'msg_1');

    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ duplicate: true, seq: first.seq });
    expect(await storedMessages(nats.topology.streams.commands)).toBe(1);
  });

  it('publishes a batch concurrently and answers in input order once all are stored', async () => {
    const requests = Array.from({ length: 1000 }, (_, i) => ({ subject: nats.topology.subjects.dispatch, payload: { n: i }, msgID: `dlv_${i}:1` }));

    const results = await publisher.publishMany([...requests, requests[7]], 64);

    expect(results).toHaveLength(1001);
    expect(results.filter((result) => result.duplicate)).toEqual([{ duplicate: true, seq: results[7].seq }]);
    expect(new Set(results.map((result) => result.seq)).size).toBe(1000);
    expect(await storedMessages(nats.topology.streams.commands)).toBe(1000);
    const stored = await nats.jsm.streams.getMessage(nats.topology.streams.commands, { seq: results[500].seq });
    expect(stored?.json()).toEqual({ n: 500 });
  });

  it('rejects when no stream takes the subject, naming it', async () => {
    await expect(publisher.publishMany([{ subject: 'nowhere.at.all', payload: {}, msgID: 'x' }])).rejects.toThrow('nowhere.at.all');
  });

  it('publishes an operational event on its subject, its id as msgID (as the outbox relay does)', async () => {
    const event = operationalEvent('delivery.succeeded', { delivery_id: 'dlv_1' });
    await publisher.publish(nats.topology.subjects.eventFor(event.type), event, event.id);

    expect(event).toMatchObject({ type: 'delivery.succeeded', data: { delivery_id: 'dlv_1' } });
    expect(event.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    const stored = await nats.jsm.streams.getMessage(nats.topology.streams.events, { last_by_subj: nats.topology.subjects.eventFor('delivery.succeeded') });
    expect(stored?.json<OperationalEvent>()).toEqual(event);
    expect(stored?.header.get('Nats-Msg-Id')).toBe(event.id);
  });
});

describe('messaging health', () => {
  it('is up while JetStream answers and down once the connection is closed', async () => {
    const health = app.get(MessagingHealth);
    expect(await health.check()).toMatchObject({ status: 'up', details: { streams: expect.any(Number) } });

    await app.close();

    expect(await health.check()).toEqual({ status: 'down', details: { reason: 'connection closed' } });
  });
});

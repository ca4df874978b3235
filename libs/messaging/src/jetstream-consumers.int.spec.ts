import type { TestingModule } from '@nestjs/testing';
import { MAX_BATCH_BYTES } from './batch-consumption';
import type { InboundMessage } from './inbound-message';
import { JetStreamConnection } from './jetstream-connection';
import { JetStreamConsumers } from './jetstream-consumers';
import { JetStreamPublisher } from './jetstream-publisher';
import { eventually, NatsObserver, observe, signal, startMessaging, uniqueNamespace } from './messaging.test-harness';

let nats: NatsObserver;
let app: TestingModule;
let consumers: JetStreamConsumers;
let closed = false;

beforeEach(async () => {
  const namespace = uniqueNamespace();
  nats = await observe(namespace);
  app = await startMessaging(namespace);
  consumers = app.get(JetStreamConsumers);
  closed = false;
});

afterEach(async () => {
  if (!closed) await app.close();
  await nats.close();
});

async function closeApp(): Promise<void> {
  closed = true;
  await app.close();
}

function publishIngest(count: number): Promise<unknown> {
  const { subjects } = nats.topology;
  return app.get(JetStreamPublisher).publishMany(Array.from({ length: count }, (_, i) => ({ subject: subjects.ingest, payload: { n: i }, msgID: `msg_${i}` })));
}

function consumeIngestBatches(handler: (messages: InboundMessage[]) => Promise<void>, batchSize = 10) {
  const { consumers: names, streams } = nats.topology;
  return consumers.consumeBatches(names.ingest, streams.commands, handler, { batchSize, retryDelayMs: 50 });
}

/** Nothing left to deliver or waiting for an ack: what was settled stays settled. */
async function expectIngestDrained(): Promise<void> {
  await eventually(async () => {
    const info = await nats.jsm.consumers.info(nats.topology.streams.commands, nats.topology.consumers.ingest);
    expect({ pending: info.num_pending, unacked: info.num_ack_pending }).toEqual({ pending: 0, unacked: 0 });
    expect((await nats.jsm.streams.info(nats.topology.streams.commands)).state.messages).toBe(0);
  });
}

describe('consuming in batches', () => {
  it('hands over decoded messages, in batches no larger than asked, in stream order', async () => {
    await publishIngest(45);
    const seen: number[] = [];
    const sizes: number[] = [];
    const all = signal();

    await consumeIngestBatches(async (messages) => {
      sizes.push(messages.length);
      for (const message of messages) {
        expect(message).toMatchObject({ subject: nats.topology.subjects.ingest, redeliveryCount: 0, msgId: `msg_${(message.data as { n: number }).n}` });
        seen.push((message.data as { n: number }).n);
        message.ack();
      }
      if (seen.length === 45) all.resolve();
    }, 20);
    await all.promise;

    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20);
    await expectIngestDrained();
  });

  it('keeps a batch of large messages under MAX_BATCH_BYTES of payload', async () => {
    const { subjects } = nats.topology;
    const padding = 'x'.repeat(900 * 1024);
    await app.get(JetStreamPublisher).publishMany(Array.from({ length: 20 }, (_, i) => ({ subject: subjects.ingest, payload: { n: i, padding }, msgID: `big_${i}` })));
    const bytes: number[] = [];
    let seen = 0;
    const all = signal();
    await consumeIngestBatches(async (messages) => {
      bytes.push(messages.reduce((sum, message) => sum + JSON.stringify(message.data).length, 0));
      seen += messages.length;
      for (const message of messages) message.ack();
      if (seen === 20) all.resolve();
    }, 500);
    await all.promise;

    expect(Math.max(...bytes)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(bytes.length).toBeGreaterThanOrEqual(3); // 20 × 900 KiB cannot fit in fewer 8 MiB batches
    await expectIngestDrained();
  });

  it('redelivers a message that was nak\'d, counting the redelivery', async () => {
    const redelivered = signal<InboundMessage>();
    await consumeIngestBatches(async (messages) => {
      for (const message of messages) {
        if (message.redeliveryCount === 0) message.nak(100);
        else {
          message.ack();
          redelivered.resolve(message);
        }
      }
    });
    await publishIngest(1);

    const message = await redelivered.promise;
    expect(message).toMatchObject({ data: { n: 0 }, redeliveryCount: 1 });
    await expectIngestDrained();
  });

  it('never redelivers a terminated message, and hands a body that is not JSON over as an Error', async () => {
    const terminated = signal<InboundMessage>();
    await consumeIngestBatches(async (messages) => {
      for (const message of messages) {
        message.term('not JSON');
        terminated.resolve(message);
      }
    });
    await nats.js.publish(nats.topology.subjects.ingest, '{not json', { msgID: 'poison' });

    const message = await terminated.promise;
    expect(message.data).toBeInstanceOf(Error);
    expect(message.msgId).toBe('poison');
    await expectIngestDrained();
  });

  it('keeps consuming after a handler throws, redelivering what that batch left unsettled', async () => {
    const calls: InboundMessage[][] = [];
    const recovered = signal();
    await consumeIngestBatches(async (messages) => {
      calls.push(messages);
      if (calls.length === 1) throw new Error('database went away');
      for (const message of messages) message.ack();
      if (messages.some((message) => message.redeliveryCount > 0)) recovered.resolve();
    });
    await publishIngest(3);

    await recovered.promise;
    const redelivered = calls.slice(1).flat().filter((message) => message.redeliveryCount > 0);
    expect(redelivered.map((message) => message.data)).toEqual(calls[0].map((message) => message.data));
    await expectIngestDrained();
  });

  it('stop() waits for the batch in progress and stops pulling', async () => {
    const started = signal();
    const release = signal();
    let finished = false;
    const handle = await consumeIngestBatches(async (messages) => {
      started.resolve();
      await release.promise;
      for (const message of messages) message.ack();
      finished = true;
    });
    await publishIngest(1);
    await started.promise;

    const stopping = handle.stop();
    release.resolve();
    await stopping;

    expect(finished).toBe(true);
    await expectIngestDrained();
  });
});

describe('consuming messages one by one', () => {
  it('runs up to maxInFlight handlers at once, never more', async () => {
    const { consumers: names, streams } = nats.topology;
    let active = 0;
    let highest = 0;
    let handled = 0;
    const full = signal();
    const all = signal();
    await consumers.consumeMessages(names.ingest, streams.commands, async (message) => {
      active++;
      highest = Math.max(highest, active);
      if (active === 5) full.resolve();
      await full.promise;
      active--;
      message.ack();
      if (++handled === 30) all.resolve();
    }, { maxInFlight: 5 });
    await publishIngest(30);

    await all.promise;
    expect(highest).toBe(5);
    await expectIngestDrained();
  });

  it('counts weight, not messages, when asked: parts released as they finish let the next message in, admit() holds it back', async () => {
    const { consumers: names, streams, subjects } = nats.topology;
    // Messages of 3 units each, at most 6 units in flight: two messages at once, a third once one released a part.
    await app.get(JetStreamPublisher).publishMany(Array.from({ length: 6 }, (_, i) => ({ subject: subjects.ingest, payload: { n: i, parts: 3 }, msgID: `w_${i}` })));
    let active = 0;
    let highest = 0;
    let parked = false;
    const started: number[] = [];
    const gates = new Map<number, { release: (units: number) => void; done: { promise: Promise<void>; resolve: () => void } }>();
    const twoIn = signal();
    const thirdIn = signal();
    await consumers.consumeMessages(names.ingest, streams.commands, async (message, release) => {
      const { n } = message.data as { n: number };
      active++;
      highest = Math.max(highest, active);
      started.push(n);
      const done = signal<void>();
      gates.set(n, { release, done });
      if (started.length === 2) twoIn.resolve();
      if (started.length === 3) thirdIn.resolve();
      await done.promise;
      active--;
      message.ack();
    }, { maxInFlight: 6, weigh: (message) => (message.data as { parts: number }).parts, admit: () => !parked });

    await twoIn.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    // Parked work (admit() false) keeps the next message out even with weight to spare.
    parked = true;
    gates.get(0)!.release(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual([0, 1]);
    // And with no weight held at all (every part parked): the parts were given back, not finished.
    gates.get(0)!.release(1);
    gates.get(1)!.release(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual([0, 1]);
    parked = false;
    gates.get(0)!.release(0);
    await thirdIn.promise;
    expect(started).toEqual([0, 1, 2]);
    for (let n = 0; n < 6; n++) {
      await eventually(async () => expect(gates.has(n)).toBe(true));
      gates.get(n)!.done.resolve();
    }
    // 0 and 1 gave all their weight back: two more fit beside them.
    expect(highest).toBe(4);
    await expectIngestDrained();
  });
});

describe('shutdown', () => {
  it('stops consumers and lets in-flight handlers ack before the connection drains', async () => {
    const { consumers: names, streams } = nats.topology;
    const connection = app.get(JetStreamConnection);
    const release = signal();
    let started = 0;
    const allStarted = signal();
    const connectionOpenAtAck: boolean[] = [];
    await consumers.consumeMessages(names.ingest, streams.commands, async (message) => {
      if (++started === 3) allStarted.resolve();
      await release.promise;
      // Stands for recording the result: a few round trips that outlast an eager drain.
      for (let i = 0; i < 3; i++) await nats.jsm.streams.info(streams.commands);
      connectionOpenAtAck.push(!connection.nc.isClosed());
      message.ack();
    }, { maxInFlight: 3 });
    await publishIngest(3);
    await allStarted.promise;

    // Open the gate only once shutdown has begun: if close() did not wait, the drain would win.
    const stopAll = consumers.beforeApplicationShutdown.bind(consumers);
    jest.spyOn(consumers, 'beforeApplicationShutdown').mockImplementation(async () => {
      const stopping = stopAll();
      release.resolve();
      await stopping;
    });
    await closeApp();

    expect(connection.nc.isClosed()).toBe(true);
    expect(connectionOpenAtAck).toEqual([true, true, true]);
    await expectIngestDrained();
  });
});

import type { TestingModule } from '@nestjs/testing';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { declareTopology, ensureConsumer, ensureStream } from './declare-topology';
import { consumerDefinitions, streamDefinitions } from './jetstream-topology';
import { NatsObserver, observe, startMessaging, uniqueNamespace } from './messaging.test-harness';

const MINUTE_NS = 60_000 * 1_000_000;
const SECOND_NS = 1_000 * 1_000_000;

let namespace: string;
let nats: NatsObserver;

beforeEach(async () => {
  namespace = uniqueNamespace();
  nats = await observe(namespace);
});

afterEach(async () => {
  await nats.close();
});

describe('declaring the JetStream topology', () => {
  it('creates the three streams and the durable consumers when an app starts', async () => {
    const app = await startMessaging(namespace);
    await app.close();
    const { streams, subjects, consumers } = nats.topology;

    const commands = (await nats.jsm.streams.info(streams.commands)).config;
    expect(commands).toMatchObject({ retention: RetentionPolicy.Workqueue, storage: StorageType.File, duplicate_window: 10 * MINUTE_NS });
    expect([...commands.subjects].sort()).toEqual([subjects.dispatch, subjects.ingest].sort());
    expect((await nats.jsm.streams.info(streams.inbound)).config).toMatchObject({ retention: RetentionPolicy.Workqueue, subjects: [`${namespace}.in.>`], duplicate_window: 10 * MINUTE_NS });
    expect((await nats.jsm.streams.info(streams.events)).config).toMatchObject({
      retention: RetentionPolicy.Limits,
      subjects: [`${namespace}.evt.>`],
      duplicate_window: 2 * MINUTE_NS,
      max_age: 7 * 24 * 60 * MINUTE_NS,
    });

    const ingest = (await nats.jsm.consumers.info(streams.commands, consumers.ingest)).config;
    expect(ingest).toMatchObject({ ack_policy: AckPolicy.Explicit, filter_subject: subjects.ingest, ack_wait: 30 * SECOND_NS, max_deliver: -1 });
    const dispatcher = (await nats.jsm.consumers.info(streams.commands, consumers.dispatcher)).config;
    expect(dispatcher).toMatchObject({ ack_policy: AckPolicy.Explicit, filter_subject: subjects.dispatch, ack_wait: 60 * SECOND_NS, max_ack_pending: 20_000 });
    expect((await nats.jsm.consumers.info(streams.inbound, consumers.inbound)).config).toMatchObject({ ack_policy: AckPolicy.Explicit });
    const operational = (await nats.jsm.consumers.info(streams.events, consumers.operationalWebhooks)).config;
    expect(operational).toMatchObject({ ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, max_deliver: -1 });
  });

  it('is idempotent: apps starting together and again leave one unchanged topology', async () => {
    const apps: TestingModule[] = await Promise.all([startMessaging(namespace, 'a'), startMessaging(namespace, 'b'), startMessaging(namespace, 'c')]);
    await Promise.all(apps.map((app) => app.close()));
    await declareTopology(nats.jsm, nats.topology);

    const again = [
      ...(await Promise.all(streamDefinitions(nats.topology).map((stream) => ensureStream(nats.jsm, stream)))),
      ...(await Promise.all(consumerDefinitions(nats.topology).map((consumer) => ensureConsumer(nats.jsm, consumer)))),
    ];
    expect(again).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const names: string[] = [];
    for await (const name of nats.jsm.streams.names()) if (name.startsWith(namespace.toUpperCase())) names.push(name);
    expect(names.sort()).toEqual(Object.values(nats.topology.streams).sort());
  });

  it('updates a stream and a consumer whose settings drifted, keeping their messages', async () => {
    const [commands] = streamDefinitions(nats.topology);
    await nats.jsm.streams.add({ ...commands, duplicate_window: MINUTE_NS });
    await nats.js.publish(nats.topology.subjects.ingest, '{}', { msgID: 'kept' });
    const [ingest] = consumerDefinitions(nats.topology);
    await nats.jsm.consumers.add(ingest.stream, { ...ingest.config, ack_wait: 5 * SECOND_NS });

    expect(await ensureStream(nats.jsm, commands)).toBe('updated');
    expect(await ensureConsumer(nats.jsm, ingest)).toBe('updated');

    const info = await nats.jsm.streams.info(commands.name);
    expect(info.config.duplicate_window).toBe(10 * MINUTE_NS);
    expect(info.state.messages).toBe(1);
    expect((await nats.jsm.consumers.info(ingest.stream, ingest.config.durable_name)).config.ack_wait).toBe(30 * SECOND_NS);
  });

  it('refuses to start on a stream whose retention cannot be changed in place, naming it', async () => {
    const [commands] = streamDefinitions(nats.topology);
    await nats.jsm.streams.add({ ...commands, retention: RetentionPolicy.Limits });

    await expect(startMessaging(namespace)).rejects.toThrow(`JetStream stream ${commands.name} exists with a different retention`);
  });
});

import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface ReceivedOperationalEvent {
  readonly id: string;
  readonly type: string;
  readonly occurred_at: string;
  readonly data: Record<string, unknown>;
}

/**
 * Reads Hookledger's operational events the way an internal consumer would: an ordered JetStream
 * consumer on `<NS>_EVENTS` from the start of the stream, collecting every event as it arrives.
 */
export class OperationalEventListener {
  readonly events: ReceivedOperationalEvent[] = [];
  private constructor(private readonly close: () => Promise<void>) {}

  static async start(natsUrl: string, namespace: string): Promise<OperationalEventListener> {
    const nc = await connect({ servers: natsUrl });
    const js = jetstream(nc);
    const stream = `${namespace.toUpperCase().replace(/-/g, '_')}_EVENTS`;
    const consumer = await js.consumers.get(stream);
    const messages = await consumer.consume();
    const listener = new OperationalEventListener(async () => {
      await messages.close();
      await nc.close();
    });
    void (async () => {
      for await (const message of messages) listener.events.push(message.json<ReceivedOperationalEvent>());
    })();
    return listener;
  }

  of(type: string): ReceivedOperationalEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  stop(): Promise<void> {
    return this.close();
  }
}

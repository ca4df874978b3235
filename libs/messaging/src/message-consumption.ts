import { ConsumptionLoop } from './consumption-loop';
import type { PulledMessages, PullSettings } from './consumption-loop';
import type { JetStreamConnection } from './jetstream-connection';
import type { InboundMessage } from './inbound-message';

export type MessageHandler = (message: InboundMessage) => Promise<void>;

/** Up to maxInFlight handler calls at once, one message each; a new one starts as soon as one ends. */
export class MessageConsumption extends ConsumptionLoop {
  private readonly inFlight = new Set<Promise<void>>();
  private slotFreed: (() => void) | null = null;

  constructor(
    connection: JetStreamConnection,
    streamName: string,
    consumerName: string,
    private readonly handler: MessageHandler,
    private readonly maxInFlight: number,
    settings: Omit<PullSettings, 'maxMessages'>,
  ) {
    super(connection, streamName, consumerName, { ...settings, maxMessages: maxInFlight });
  }

  protected async pump(messages: PulledMessages): Promise<void> {
    for await (const msg of messages) {
      while (!this.stopping && this.inFlight.size >= this.maxInFlight) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
      }
      if (this.stopping) {
        this.handBack([msg]);
        continue;
      }
      const message = this.wrap(msg);
      const run: Promise<void> = this.invoke([message], () => this.handler(message)).finally(() => {
        this.inFlight.delete(run);
        this.freeSlot();
      });
      this.inFlight.add(run);
    }
  }

  protected override onStop(): void {
    this.freeSlot();
  }

  protected async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private freeSlot(): void {
    const resolve = this.slotFreed;
    this.slotFreed = null;
    resolve?.();
  }
}

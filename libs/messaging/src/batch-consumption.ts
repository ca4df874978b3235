import type { JsMsg } from '@nats-io/jetstream';
import { ConsumptionLoop } from './consumption-loop';
import type { PulledMessages, PullSettings } from './consumption-loop';
import type { JetStreamConnection } from './jetstream-connection';
import type { InboundMessage } from './inbound-message';

export type BatchHandler = (messages: InboundMessage[]) => Promise<void>;

/**
 * One handler call at a time, on whatever has arrived meanwhile (up to batchSize): an idle
 * system hands over a single message at once, a busy one fills its batches.
 */
export class BatchConsumption extends ConsumptionLoop {
  private waiting: JsMsg[] = [];
  private current: Promise<void> | null = null;

  constructor(
    connection: JetStreamConnection,
    streamName: string,
    consumerName: string,
    private readonly handler: BatchHandler,
    private readonly batchSize: number,
    settings: Omit<PullSettings, 'maxMessages'>,
  ) {
    super(connection, streamName, consumerName, { ...settings, maxMessages: batchSize });
  }

  protected async pump(messages: PulledMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.stopping) {
        this.handBack([msg]);
        continue;
      }
      this.waiting.push(msg);
      if (!this.current) this.startNextBatch();
      else if (this.waiting.length >= this.batchSize) await this.current;
    }
  }

  protected async settle(): Promise<void> {
    while (this.current) await this.current;
    this.handBack(this.waiting.splice(0));
  }

  private startNextBatch(): void {
    const batch = this.waiting.splice(0, this.batchSize).map((msg) => this.wrap(msg));
    this.current = this.invoke(batch, () => this.handler(batch)).finally(() => {
      this.current = null;
      if (this.waiting.length > 0 && !this.stopping) this.startNextBatch();
    });
  }
}

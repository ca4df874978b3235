import type { JsMsg } from '@nats-io/jetstream';
import { ConsumptionLoop } from './consumption-loop';
import type { PulledMessages, PullSettings } from './consumption-loop';
import type { JetStreamConnection } from './jetstream-connection';
import type { InboundMessage } from './inbound-message';

export type BatchHandler = (messages: InboundMessage[]) => Promise<void>;

/**
 * Payload bytes one batch may hold: 500 events of 1 MB each must not be parsed into one handler
 * call. (Pulled but not yet handed over, payloads wait as raw bytes outside the V8 heap.)
 */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * One handler call at a time, on whatever has arrived meanwhile (up to batchSize messages and
 * MAX_BATCH_BYTES of payload, at least one message): an idle system hands over a single message
 * at once, a busy one fills its batches.
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
    let count = 0;
    let bytes = 0;
    while (count < Math.min(this.batchSize, this.waiting.length) && (count === 0 || bytes + this.waiting[count].data.length <= MAX_BATCH_BYTES)) {
      bytes += this.waiting[count].data.length;
      count++;
    }
    const batch = this.waiting.splice(0, count).map((msg) => this.wrap(msg));
    this.current = this.invoke(batch, () => this.handler(batch)).finally(() => {
      this.current = null;
      if (this.waiting.length > 0 && !this.stopping) this.startNextBatch();
    });
  }
}

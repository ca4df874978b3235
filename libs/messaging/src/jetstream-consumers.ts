import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { BatchConsumption } from './batch-consumption';
import type { BatchHandler } from './batch-consumption';
import type { ConsumptionHandle, ConsumptionLoop } from './consumption-loop';
import { JetStreamConnection } from './jetstream-connection';
import { MessageConsumption } from './message-consumption';
import type { MessageHandler, WeightedAdmission } from './message-consumption';

interface CommonOptions {
  /** Lifetime of one pull request (the client renews it); default 30 s, at least 1 s. */
  readonly expiresMs?: number;
  /** nak delay for messages a failing handler left unsettled; default 1 s. */
  readonly retryDelayMs?: number;
}

export interface BatchConsumptionOptions extends CommonOptions {
  readonly batchSize: number;
}

export interface MessageConsumptionOptions extends CommonOptions, WeightedAdmission {
  /** Bound on the weight in flight (messages, by default: see WeightedAdmission.weigh). */
  readonly maxInFlight: number;
}

/**
 * Starts pull loops on the durable consumers and stops them all before the connection drains
 * at shutdown, so every message in a handler is settled while NATS can still hear it.
 */
@Injectable()
export class JetStreamConsumers implements BeforeApplicationShutdown {
  private readonly loops = new Set<ConsumptionLoop>();

  constructor(private readonly connection: JetStreamConnection) {}

  /** Hands over batches of up to batchSize messages, one handler call at a time. */
  consumeBatches(consumerName: string, streamName: string, handler: BatchHandler, options: BatchConsumptionOptions): Promise<ConsumptionHandle> {
    return this.start(new BatchConsumption(this.connection, streamName, consumerName, handler, positive(options.batchSize, 'batchSize'), settings(options)));
  }

  /** Hands over one message per handler call, with up to maxInFlight calls (or units of weight) running at once. */
  consumeMessages(consumerName: string, streamName: string, handler: MessageHandler, options: MessageConsumptionOptions): Promise<ConsumptionHandle> {
    const { weigh, admit, pullMessages } = options;
    if (pullMessages !== undefined) positive(pullMessages, 'pullMessages');
    return this.start(new MessageConsumption(this.connection, streamName, consumerName, handler, positive(options.maxInFlight, 'maxInFlight'), settings(options), { weigh, admit, pullMessages }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.loops].map((loop) => loop.stop()));
  }

  private async start(loop: ConsumptionLoop): Promise<ConsumptionHandle> {
    this.loops.add(loop);
    try {
      await loop.start();
    } catch (error) {
      this.loops.delete(loop);
      throw error;
    }
    return {
      streamName: loop.streamName,
      consumerName: loop.consumerName,
      stop: async () => {
        await loop.stop();
        this.loops.delete(loop);
      },
    };
  }
}

function settings(options: CommonOptions) {
  return { expiresMs: Math.max(options.expiresMs ?? 30_000, 1000), retryDelayMs: options.retryDelayMs ?? 1000 };
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

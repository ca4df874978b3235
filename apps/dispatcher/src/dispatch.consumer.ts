import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { topology } from '@hookledger/contracts';
import { JetStreamConsumers } from '@hookledger/messaging';
import type { InboundMessage } from '@hookledger/messaging';
import { DispatchService } from './dispatch.service';

/**
 * Commands the client keeps fetched ahead. Their ack wait runs while they sit there and each may
 * carry MAX_DISPATCH_BATCH deliveries: 16 of them (1,600 deliveries) stay well inside the 60 s ack wait.
 */
const PULL_MESSAGES = 16;

/** A v2 command weighs its deliveries; a v1 command (or a malformed one) one. */
function weightOf(message: InboundMessage): number {
  const data = message.data as { v?: unknown; deliveries?: unknown } | null;
  return data?.v === 2 && Array.isArray(data.deliveries) ? Math.max(1, data.deliveries.length) : 1;
}

/**
 * Keeps up to HOOKS_DISPATCH_CONCURRENCY deliveries in flight (a v2 command weighs as many as it
 * carries; a delivery waiting for its endpoint gives its share back), each command acked when all
 * its attempts are recorded.
 */
@Injectable()
export class DispatchConsumer implements OnApplicationBootstrap {
  constructor(private readonly consumers: JetStreamConsumers, private readonly dispatch: DispatchService, private readonly config: HookledgerConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const { consumers, streams } = topology(this.config.natsNamespace);
    await this.consumers.consumeMessages(consumers.dispatcher, streams.commands, (message, release) => this.dispatch.handle(message, release), {
      maxInFlight: this.config.delivery.concurrency,
      weigh: weightOf,
      admit: () => this.dispatch.admitsMore(),
      pullMessages: Math.min(this.config.delivery.concurrency, PULL_MESSAGES),
      expiresMs: 5000,
    });
  }
}

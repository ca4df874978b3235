import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { topology } from '@hookledger/contracts';
import { JetStreamConsumers } from '@hookledger/messaging';
import { DispatchService } from './dispatch.service';

/** Keeps up to HOOKS_DISPATCH_CONCURRENCY dispatch commands in flight, each acked when its attempt is recorded. */
@Injectable()
export class DispatchConsumer implements OnApplicationBootstrap {
  constructor(private readonly consumers: JetStreamConsumers, private readonly dispatch: DispatchService, private readonly config: HookledgerConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const { consumers, streams } = topology(this.config.natsNamespace);
    await this.consumers.consumeMessages(consumers.dispatcher, streams.commands, (message) => this.dispatch.handle(message), {
      maxInFlight: this.config.delivery.concurrency,
      expiresMs: 5000,
    });
  }
}

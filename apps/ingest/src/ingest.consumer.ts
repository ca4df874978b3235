import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { topology } from '@hookledger/contracts';
import { JetStreamConsumers } from '@hookledger/messaging';
import { IngestService } from './ingest.service';

/** Pulls batches from the API's ingest commands and from the inbound bus (`<ns>.in.>`). */
@Injectable()
export class IngestConsumer implements OnApplicationBootstrap {
  constructor(private readonly consumers: JetStreamConsumers, private readonly ingest: IngestService, private readonly config: HookledgerConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const { consumers, streams } = topology(this.config.natsNamespace);
    const options = { batchSize: this.config.ingestBatchSize, expiresMs: 5000 };
    const handler = (messages: Parameters<IngestService['handleBatch']>[0]) => this.ingest.handleBatch(messages);
    await this.consumers.consumeBatches(consumers.ingest, streams.commands, handler, options);
    await this.consumers.consumeBatches(consumers.inbound, streams.inbound, handler, options);
  }
}

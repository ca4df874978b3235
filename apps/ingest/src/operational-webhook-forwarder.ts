import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { ingestMessageId, topology, Topology } from '@hookledger/contracts';
import { InboundMessage, JetStreamConsumers, JetStreamPublisher } from '@hookledger/messaging';
import { operationalWebhook, OperationalWebhook } from './operational-webhook';
import { SubscriptionCache } from './subscription-cache';

/**
 * Turns operational events (`<ns>.evt.>`) into `hookledger.<type>` webhooks for the tenant they
 * concern, by publishing an ingest command that then goes the way of any event: stored, fanned
 * out, signed, retried, recorded. Only when one of the tenant's endpoints subscribes to that type
 * (the subscription index says so), so a busy system does not store a message per
 * `delivery.succeeded` for nobody.
 *
 * At least once: events are acked only after JetStream took the commands; a crash before that
 * redelivers them, and the command's msgID and message id (the event's id) make the repeat a
 * duplicate that ingest stores once.
 */
@Injectable()
export class OperationalWebhookForwarder implements OnApplicationBootstrap {
  private readonly logger = new Logger(OperationalWebhookForwarder.name);
  private readonly topology: Topology;

  constructor(
    private readonly consumers: JetStreamConsumers,
    private readonly publisher: JetStreamPublisher,
    private readonly subscriptions: SubscriptionCache,
    private readonly db: DataSource,
    private readonly config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { consumers, streams } = this.topology;
    await this.consumers.consumeBatches(consumers.operationalWebhooks, streams.events, (messages) => this.handleBatch(messages), {
      batchSize: this.config.ingestBatchSize, expiresMs: 5000,
    });
  }

  async handleBatch(messages: readonly InboundMessage[]): Promise<void> {
    const index = await this.subscriptions.current(this.db.manager);
    const webhooks: OperationalWebhook[] = [];
    for (const message of messages) {
      if (message.data instanceof Error) {
        message.term(`the operational event is not JSON: ${message.data.message}`);
        continue;
      }
      const forwarded = operationalWebhook(message.data);
      if ('webhook' in forwarded) {
        const { webhook } = forwarded;
        if (index.match({ type: webhook.type, tenant_id: webhook.tenant_id, data: webhook.data, id: webhook.id }).length > 0) webhooks.push(webhook);
      }
    }
    if (webhooks.length > 0) {
      await this.publisher.publishMany(webhooks.map((webhook) => ({
        subject: this.topology.subjects.ingest, payload: webhook, msgID: ingestMessageId(webhook.tenant_id, webhook.id),
      })));
      this.logger.debug({ msg: 'operational webhooks forwarded', count: webhooks.length });
    }
    for (const message of messages) message.ack();
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { SecretsModule, TenantDataKeyEvictions } from '@hookledger/secrets';
import { IngestConsumer } from './ingest.consumer';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { OperationalWebhookForwarder } from './operational-webhook-forwarder';
import { SubscriptionCache } from './subscription-cache';

@Module({})
export class IngestModule {
  static forRoot(config: HookledgerConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('hookledger-ingest'),
        MessagingModule.forRoot('ingest'),
        SecretsModule,
        MetricsModule,
        HealthModule.forRoot('ingest'),
      ],
      providers: [IngestRepository, SubscriptionCache, IngestService, IngestConsumer, TenantDataKeyEvictions, OperationalWebhookForwarder],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { SecretsModule, TenantDataKeyEvictions } from '@hookledger/secrets';
import { AttemptRecorder } from './attempt-recorder';
import { DeliveryLoader } from './delivery-loader';
import { DispatchConsumer } from './dispatch.consumer';
import { DispatchService } from './dispatch.service';
import { CircuitRecorder } from './circuit-recorder';
import { WebhookSender } from '@hookledger/webhook-http';

@Module({})
export class DispatcherModule {
  static forRoot(config: HookledgerConfig): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('hookledger-dispatcher'),
        MessagingModule.forRoot('dispatcher'),
        SecretsModule,
        MetricsModule,
        HealthModule.forRoot('dispatcher'),
      ],
      providers: [
        DeliveryLoader,
        AttemptRecorder,
        CircuitRecorder,
        DispatchService,
        DispatchConsumer,
        TenantDataKeyEvictions,
        {
          provide: WebhookSender,
          inject: [HookledgerConfig],
          useFactory: (c: HookledgerConfig) =>
            new WebhookSender({
              allowPrivateNetworks: c.allowPrivateNetworks,
              allowHttp: c.allowHttp,
              allowCidrs: c.ssrfAllowCidrs,
              userAgent: `Hookledger/${c.version}`,
              maxConnectionsPerOrigin: c.delivery.concurrency,
            }),
        },
      ],
    };
  }
}

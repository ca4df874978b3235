import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { RetryPoller } from './retry-poller';

@Module({})
export class SchedulerModule {
  static forRoot(config: HookledgerConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('hookledger-scheduler'),
        MessagingModule.forRoot('scheduler'),
        MetricsModule,
        HealthModule.forRoot('scheduler'),
      ],
      providers: [RetryPoller],
    };
  }
}

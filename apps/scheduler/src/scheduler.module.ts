import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, HookledgerConfig } from '@hookledger/config';
import { DatabaseModule, LedgerCheckpoints, Replays } from '@hookledger/event-store';
import { MessagingModule } from '@hookledger/messaging';
import { HealthModule, MetricsModule } from '@hookledger/observability';
import { SecretsModule } from '@hookledger/secrets';
import { ReplayRunner } from './replay-runner';
import { AdhocDestinationExpiry } from './adhoc-destination-expiry';
import { CircuitProber } from './circuit-prober';
import { EndpointDisabler } from './endpoint-disabler';
import { LedgerCheckpointer } from './ledger-checkpointer';
import { OutboxRelay } from './outbox-relay';
import { PayloadRetention } from './payload-retention';
import { ProjectionCatchUp } from './projection-catch-up';
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
        SecretsModule,
        MetricsModule,
        HealthModule.forRoot('scheduler'),
      ],
      providers: [Replays, ReplayRunner, RetryPoller, CircuitProber, EndpointDisabler, OutboxRelay, AdhocDestinationExpiry, ProjectionCatchUp,
        LedgerCheckpoints, LedgerCheckpointer, PayloadRetention],
    };
  }
}

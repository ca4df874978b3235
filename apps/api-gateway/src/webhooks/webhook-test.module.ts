import { Module } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { WebhookSender } from '@hookledger/webhook-http';
import { WebhookTestController } from './webhook-test.controller';
import { MAX_TESTS_IN_FLIGHT, WebhookTestService } from './webhook-test.service';

/** POST /v1/webhooks/test: the API's one outgoing HTTP client, with the dispatcher's guarded sender. */
@Module({
  controllers: [WebhookTestController],
  providers: [
    WebhookTestService,
    {
      provide: WebhookSender,
      inject: [HookledgerConfig],
      useFactory: (config: HookledgerConfig) =>
        new WebhookSender({
          allowPrivateNetworks: config.allowPrivateNetworks,
          allowHttp: config.allowHttp,
          allowCidrs: config.ssrfAllowCidrs,
          userAgent: `Hookledger/${config.version}`,
          // A connection for every test in flight, so no test's deadline runs out queued behind another's.
          maxConnectionsPerOrigin: MAX_TESTS_IN_FLIGHT,
        }),
    },
  ],
})
export class WebhookTestModule {}

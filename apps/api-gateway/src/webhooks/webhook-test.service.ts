import { HttpStatus, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { classifyResponse, newId } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { webhookRequest, WebhookSender } from '@hookledger/webhook-http';
import type { Principal } from '../auth/principal';
import { checkDestinationUrl } from '../endpoints/destination-url';
import { InFlightLimit } from './in-flight-limit';
import { testSigningKey } from './test-signing-key';
import type { SendTestWebhookDto, TestWebhookResult } from './webhook-test.dto';

/**
 * Tests in flight per API process. Each holds a connection to somebody's server for up to 30 s:
 * the cap keeps the API from being turned into a load generator, whatever the keys' rate limits.
 */
export const MAX_TESTS_IN_FLIGHT = 16;
const TEST_EVENT_TYPE = 'webhook.test';

/**
 * "Does my receiver work?" before there is an endpoint: one request signed as a delivery with
 * these settings would be, sent by the dispatcher's sender with its guard (public addresses only,
 * checked on the address connected to; https unless allowed; no redirects). Nothing is stored:
 * no endpoint, no message, no delivery, no attempt. A refused address, a timeout or a connection
 * error is the answer, not an error of the API.
 */
@Injectable()
export class WebhookTestService implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookTestService.name);
  private readonly slots = new InFlightLimit(MAX_TESTS_IN_FLIGHT);

  constructor(private readonly sender: WebhookSender, private readonly config: HookledgerConfig) {}

  async send(input: SendTestWebhookDto, principal: Principal): Promise<TestWebhookResult> {
    checkDestinationUrl(input.url, 'url', this.config);
    const profile = input.signature_profile ?? 'standard';
    const signing = testSigningKey(profile, input.secret);
    return this.slots.run(async () => {
      const now = new Date();
      const webhookId = newId('msg');
      const { headers, body } = webhookRequest({
        messageId: webhookId,
        eventType: input.event_type ?? TEST_EVENT_TYPE,
        messageTimestamp: now,
        data: input.data ?? { message: 'This is a test event from Hookledger.' },
        payloadFormat: input.payload_format ?? 'envelope',
        signatureProfile: profile,
        headers: {},
        authorization: null,
        secrets: [signing.key],
        now,
      });
      const answer = await this.sender.send({ url: input.url, headers, body, timeoutMs: input.timeout_ms ?? this.config.delivery.timeoutMs });
      const { outcome, reason } = classifyResponse({ statusCode: answer.statusCode, error: answer.error, retryAfter: answer.retryAfter, now });
      // Who made the API call out, and where to: the origin only, since paths and queries often carry tokens.
      this.logger.log({ msg: 'test webhook sent', key_id: principal.keyId, origin: new URL(input.url).origin, webhook_id: webhookId, outcome: reason, duration_ms: answer.durationMs });
      return {
        success: outcome === 'succeeded',
        status_code: answer.statusCode,
        response_time_ms: answer.durationMs,
        error: answer.error?.message ?? null,
        outcome: reason,
        response_body: answer.responseBody,
        webhook_id: webhookId,
        ...signing.shown,
      };
    }, () => {
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS,
        `${MAX_TESTS_IN_FLIGHT} test webhooks are already in flight on this server; wait (Retry-After) and send again.`, { retry_after: 1 });
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.sender.close();
  }
}

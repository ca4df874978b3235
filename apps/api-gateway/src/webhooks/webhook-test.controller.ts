import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access, MANAGERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { NaturallyIdempotent } from '../http/idempotency.interceptor';
import { SendTestWebhookDto, TestWebhookResult } from './webhook-test.dto';
import { MAX_TESTS_IN_FLIGHT, WebhookTestService } from './webhook-test.service';

@ApiTags('webhooks')
@ApiBearerAuth()
// Whoever may create an endpoint may first try its URL: admins and portal tokens, as POST /v1/endpoints/:id/test.
@Access(MANAGERS)
@Controller('v1/webhooks')
export class WebhookTestController {
  constructor(private readonly tests: WebhookTestService) {}

  @Post('test')
  @HttpCode(HttpStatus.OK)
  // Stores nothing, so there is no answer to replay to a retry: the Idempotency-Key header is ignored.
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Send one signed test event to any URL an endpoint could have, without storing anything, and answer with what it answered' })
  @ApiOkResponse({ type: TestWebhookResult, description: 'The URL was tried (or refused when connecting): success says whether it answered 2xx' })
  @ApiUnprocessableEntityResponse({ description: 'The URL is not https (HOOKS_ALLOW_HTTP is off) or names a non-public address' })
  @ApiTooManyRequestsResponse({ description: `${MAX_TESTS_IN_FLIGHT} test webhooks are already in flight on this server; Retry-After says when to send again` })
  send(@Body() body: SendTestWebhookDto, @CurrentPrincipal() principal: Principal): Promise<TestWebhookResult> {
    return this.tests.send(body, principal);
  }
}

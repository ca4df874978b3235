import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access';
import { CurrentPrincipal, Principal, ROLES } from '../auth/principal';
import { NaturallyIdempotent } from '../http/idempotency.interceptor';
import { VerifyWebhookDto, WebhookVerificationResource } from './webhook-verification.dto';
import { WebhookVerificationService } from './webhook-verification.service';

@ApiTags('webhooks')
@ApiBearerAuth()
// Computes with what it is given, and compares with the key's own tenant's messages: any key may use it.
@Access(ROLES)
@Controller('v1/webhooks')
export class WebhookVerificationController {
  constructor(private readonly verification: WebhookVerificationService) {}

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Signature debugging: verifies a received webhook as its receiver would and says why it does not verify' })
  @ApiOkResponse({ type: WebhookVerificationResource })
  @ApiBadRequestResponse({ description: 'A missing or malformed field' })
  verify(@Body() body: VerifyWebhookDto, @CurrentPrincipal() principal: Principal): Promise<WebhookVerificationResource> {
    return this.verification.verify(body, principal);
  }
}

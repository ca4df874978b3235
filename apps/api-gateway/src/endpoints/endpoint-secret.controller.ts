import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, MANAGERS, OwnedBy } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { EndpointSecretResource, RotateSecretDto } from './endpoint-secret.dto';
import { EndpointSecretService } from './endpoint-secret.service';

@ApiTags('endpoints')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'No such endpoint' })
@Access(MANAGERS)
@OwnedBy('endpoint')
@Controller('v1/endpoints/:id/secret')
export class EndpointSecretController {
  constructor(private readonly secrets: EndpointSecretService) {}

  @Get()
  @ApiOperation({ summary: 'The signing secret (HMAC profiles) or public key (standard-ed25519), and the older keys still signing' })
  @ApiOkResponse({ type: EndpointSecretResource })
  get(@Param('id') id: string): Promise<EndpointSecretResource> {
    return this.secrets.get(id);
  }

  @Post('rotate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Issue a new signing key; the current one keeps signing next to it for grace_period_s (default one day)' })
  @ApiOkResponse({ type: EndpointSecretResource })
  @ApiBadRequestResponse({ description: 'A bad grace period or secret, or a secret given for standard-ed25519' })
  rotate(@Param('id') id: string, @Body() body: RotateSecretDto, @CurrentPrincipal() principal: Principal): Promise<EndpointSecretResource> {
    return this.secrets.rotate(id, body, principal);
  }
}

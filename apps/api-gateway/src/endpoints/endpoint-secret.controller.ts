import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, MANAGERS, OwnedBy } from '../auth/access';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { RotateEndpointSecretCommand } from './commands';
import { DEFAULT_GRACE_PERIOD_S, EndpointSecretResource, RotateSecretDto } from './endpoint-secret.dto';
import { EndpointSecretService } from './endpoint-secret.service';

@ApiTags('endpoints')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'No such endpoint' })
@Access(MANAGERS)
@OwnedBy('endpoint')
@Controller('v1/endpoints/:id/secret')
export class EndpointSecretController {
  constructor(private readonly commands: CommandBus, private readonly secrets: EndpointSecretService) {}

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
  async rotate(@Param('id') id: string, @Body() body: RotateSecretDto, @CurrentPrincipal() principal: Principal): Promise<EndpointSecretResource> {
    const grace = body.grace_period_s ?? DEFAULT_GRACE_PERIOD_S;
    await this.commands.execute(new RotateEndpointSecretCommand(id, grace, body.secret, body.signature_profile, actorOf(principal)));
    return this.secrets.get(id);
  }
}

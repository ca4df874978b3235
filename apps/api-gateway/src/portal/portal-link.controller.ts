import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { Access, ADMINS, OwnedBy } from '../auth/access';
import { IssuePortalTokenCommand } from '../auth/commands';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { CreatePortalLinkDto, PortalLinkResource } from './portal.dto';
import { PORTAL_PATH } from './portal-static';

@ApiTags('portal')
@ApiBearerAuth()
@Controller('v1/tenants/:id')
export class PortalLinkController {
  constructor(private readonly commands: CommandBus, private readonly config: HookledgerConfig) {}

  @Post('portal-link')
  @Access(ADMINS)
  @OwnedBy('tenant')
  @ApiOperation({ summary: "A link to the customer portal for the tenant: a portal token in the URL's fragment, shown this once" })
  @ApiCreatedResponse({ type: PortalLinkResource })
  async issue(@Param('id') id: string, @Body() body: CreatePortalLinkDto, @CurrentPrincipal() principal: Principal): Promise<PortalLinkResource> {
    const issued = await this.commands.execute(new IssuePortalTokenCommand(id, body.expires_in_s ?? 3600, principal));
    return { id: issued.id, url: `${this.config.publicUrl}${PORTAL_PATH}/#token=${issued.token}`, token: issued.token, expires_at: issued.expires_at.toISOString() };
  }
}

import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointProjection } from '@hookledger/event-store';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { notFound } from '../http/not-found';
import { decodeCursor, Page, PageOf, toPage } from '../http/pagination';
import { CreateEndpointCommand, DeleteEndpointCommand, UpdateEndpointCommand } from './commands';
import { CreatedEndpointResource, CreateEndpointDto, EndpointResource, UpdateEndpointDto } from './endpoint.dto';
import { EndpointQuery } from './endpoint-query';
import { givenSettings, toEndpointResource } from './endpoint-row';

@ApiTags('endpoints')
@ApiBearerAuth()
@Controller('v1/endpoints')
export class EndpointsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly endpoints: EndpointProjection,
    private readonly scope: TenantScope,
    private readonly config: HookledgerConfig,
  ) {}

  @Post()
  @Access(MANAGERS)
  @ApiCreatedResponse({ type: CreatedEndpointResource })
  async create(@Body() body: CreateEndpointDto, @CurrentPrincipal() principal: Principal): Promise<CreatedEndpointResource> {
    const tenantId = this.scope.tenantForNew(principal, body.tenant_id);
    const settings = { ...givenSettings(body), url: body.url ?? '' };
    const created = await this.commands.execute(
      new CreateEndpointCommand(tenantId, settings, body.auth ?? null, body.secret, false, actorOf(principal), body.provider),
    );
    return { ...(await this.read(created.id)), ...created.shown };
  }

  @Get()
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'Endpoints, newest first, filtered by tenant, state and the event type they receive' })
  @ApiOkResponse({ type: PageOf(EndpointResource) })
  async list(@Query() query: EndpointQuery, @CurrentPrincipal() principal: Principal): Promise<Page<EndpointResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.endpoints.list({
      before: decodeCursor(query.cursor), tenantId: this.scope.listTenant(principal, query.tenant_id), active: query.active, eventType: query.event_type,
    }, limit + 1);
    return toPage(rows, limit, (row) => row.id, (row) => toEndpointResource(row, this.config));
  }

  @Get(':id')
  @Access(PORTAL_READERS)
  @OwnedBy('endpoint')
  @ApiOkResponse({ type: EndpointResource })
  get(@Param('id') id: string): Promise<EndpointResource> {
    return this.read(id);
  }

  @Patch(':id')
  @Access(MANAGERS)
  @OwnedBy('endpoint')
  @ApiOkResponse({ type: EndpointResource })
  async update(@Param('id') id: string, @Body() body: UpdateEndpointDto, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    await this.commands.execute(new UpdateEndpointCommand(id, givenSettings(body), body.auth, actorOf(principal), body.provider));
    return this.read(id);
  }

  @Delete(':id')
  @Access(MANAGERS)
  @OwnedBy('endpoint')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.commands.execute(new DeleteEndpointCommand(id, actorOf(principal)));
  }

  /** The endpoint as the inline projection wrote it (already, in the command's transaction). */
  private async read(id: string): Promise<EndpointResource> {
    const row = await this.endpoints.find(id);
    if (!row) throw notFound('endpoint', id);
    return toEndpointResource(row, this.config);
  }
}

import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointProjection } from '@hookledger/event-store';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { NaturallyIdempotent } from '../http/idempotency.interceptor';
import { EndpointResource } from './endpoint.dto';
import { EndpointHealthRepository } from './endpoint-health.repository';
import { EndpointHealthResource, toEndpointHealthResource } from './endpoint-health.resource';
import { DisableEndpointDto } from './endpoint-state.dto';
import { DisableEndpointCommand, EnableEndpointCommand, PauseEndpointCommand, ResumeEndpointCommand } from './commands';
import { toEndpointResource } from './endpoint-row';
import { notFound } from '../http/not-found';

@ApiTags('endpoints')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'No such endpoint' })
@Access(MANAGERS)
@OwnedBy('endpoint')
@Controller('v1/endpoints/:id')
export class EndpointStateController {
  constructor(
    private readonly commands: CommandBus,
    private readonly endpoints: EndpointProjection,
    private readonly health: EndpointHealthRepository,
    private readonly config: HookledgerConfig,
  ) {}

  @Post('disable')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Stop delivering to the endpoint: new events create no deliveries for it, pending ones end unsent' })
  @ApiOkResponse({ type: EndpointResource })
  async disable(@Param('id') id: string, @Body() body: DisableEndpointDto, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    await this.commands.execute(new DisableEndpointCommand(id, body.reason, actorOf(principal)));
    return this.read(id);
  }

  @Post('enable')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Deliver to the endpoint again, with a closed circuit and no failure streak' })
  @ApiOkResponse({ type: EndpointResource })
  async enable(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    await this.commands.execute(new EnableEndpointCommand(id, actorOf(principal)));
    return this.read(id);
  }

  @Post('pause')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Hold deliveries: new events are still stored for the endpoint, and sent in order on resume' })
  @ApiOkResponse({ type: EndpointResource })
  async pause(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    await this.commands.execute(new PauseEndpointCommand(id, actorOf(principal)));
    return this.read(id);
  }

  @Post('resume')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Send the held deliveries, oldest first, and deliver normally again' })
  @ApiOkResponse({ type: EndpointResource })
  async resume(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    await this.commands.execute(new ResumeEndpointCommand(id, actorOf(principal)));
    return this.read(id);
  }

  @Get('health')
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'Circuit, failure streak, and success rate and latency over the sliding window' })
  @ApiOkResponse({ type: EndpointHealthResource })
  async healthOf(@Param('id') id: string): Promise<EndpointHealthResource> {
    const endpoint = await this.endpoints.find(id);
    if (!endpoint) throw notFound('endpoint', id);
    const seconds = this.config.circuit.windowSeconds;
    const [health, window] = await Promise.all([this.health.find(endpoint.tenant_id, id), this.health.window(endpoint.tenant_id, id, seconds)]);
    return toEndpointHealthResource(endpoint, health, window, seconds);
  }

  /** The endpoint as the inline projection wrote it; an idempotent request that changed nothing answers it as it is. */
  private async read(id: string): Promise<EndpointResource> {
    const row = await this.endpoints.find(id);
    if (!row) throw notFound('endpoint', id);
    return toEndpointResource(row, this.config);
  }
}

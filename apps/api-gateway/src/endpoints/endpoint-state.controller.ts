import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointProjection } from '@hookledger/event-store';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { NaturallyIdempotent } from '../http/idempotency.interceptor';
import { EndpointResource } from './endpoint.dto';
import { EndpointHealthRepository } from './endpoint-health.repository';
import { EndpointHealthResource, toEndpointHealthResource } from './endpoint-health.resource';
import { DisableEndpointDto } from './endpoint-state.dto';
import { EndpointStateService } from './endpoint-state.service';
import { notFound } from '../http/not-found';

@ApiTags('endpoints')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'No such endpoint' })
@Access(MANAGERS)
@OwnedBy('endpoint')
@Controller('v1/endpoints/:id')
export class EndpointStateController {
  constructor(
    private readonly state: EndpointStateService,
    private readonly endpoints: EndpointProjection,
    private readonly health: EndpointHealthRepository,
    private readonly config: HookledgerConfig,
  ) {}

  @Post('disable')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Stop delivering to the endpoint: new events create no deliveries for it, pending ones end unsent' })
  @ApiOkResponse({ type: EndpointResource })
  disable(@Param('id') id: string, @Body() body: DisableEndpointDto, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    return this.state.disable(id, body.reason, principal);
  }

  @Post('enable')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Deliver to the endpoint again, with a closed circuit and no failure streak' })
  @ApiOkResponse({ type: EndpointResource })
  enable(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    return this.state.enable(id, principal);
  }

  @Post('pause')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Hold deliveries: new events are still stored for the endpoint, and sent in order on resume' })
  @ApiOkResponse({ type: EndpointResource })
  pause(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    return this.state.pause(id, principal);
  }

  @Post('resume')
  @HttpCode(HttpStatus.OK)
  @NaturallyIdempotent()
  @ApiOperation({ summary: 'Send the held deliveries, oldest first, and deliver normally again' })
  @ApiOkResponse({ type: EndpointResource })
  resume(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    return this.state.resume(id, principal);
  }

  @Get('health')
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'Circuit, failure streak, and success rate and latency over the sliding window' })
  @ApiOkResponse({ type: EndpointHealthResource })
  async healthOf(@Param('id') id: string): Promise<EndpointHealthResource> {
    const endpoint = await this.endpoints.find(id);
    if (!endpoint) throw notFound('endpoint', id);
    const seconds = this.config.circuit.windowSeconds;
    const [health, window] = await Promise.all([this.health.find(id), this.health.window(id, seconds)]);
    return toEndpointHealthResource(endpoint, health, window, seconds);
  }
}

import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HookledgerConfig } from '@hookledger/config';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { decodeCursor, Page, PageOf, toPage } from '../http/pagination';
import { CreatedEndpointResource, CreateEndpointDto, EndpointResource, UpdateEndpointDto } from './endpoint.dto';
import { EndpointQuery } from './endpoint-query';
import { toEndpointResource } from './endpoint-row';
import { EndpointsService } from './endpoints.service';

@ApiTags('endpoints')
@ApiBearerAuth()
@Controller('v1/endpoints')
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService, private readonly config: HookledgerConfig) {}

  @Post()
  @Access(MANAGERS)
  @ApiCreatedResponse({ type: CreatedEndpointResource })
  create(@Body() body: CreateEndpointDto, @CurrentPrincipal() principal: Principal): Promise<CreatedEndpointResource> {
    return this.endpoints.create(body, principal);
  }

  @Get()
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'Endpoints, newest first, filtered by tenant, state and the event type they receive' })
  @ApiOkResponse({ type: PageOf(EndpointResource) })
  async list(@Query() query: EndpointQuery, @CurrentPrincipal() principal: Principal): Promise<Page<EndpointResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.endpoints.list(query, principal, decodeCursor(query.cursor), limit + 1);
    return toPage(rows, limit, (row) => row.id, (row) => toEndpointResource(row, this.config));
  }

  @Get(':id')
  @Access(PORTAL_READERS)
  @OwnedBy('endpoint')
  @ApiOkResponse({ type: EndpointResource })
  get(@Param('id') id: string): Promise<EndpointResource> {
    return this.endpoints.get(id);
  }

  @Patch(':id')
  @Access(MANAGERS)
  @OwnedBy('endpoint')
  @ApiOkResponse({ type: EndpointResource })
  update(@Param('id') id: string, @Body() body: UpdateEndpointDto, @CurrentPrincipal() principal: Principal): Promise<EndpointResource> {
    return this.endpoints.update(id, body, principal);
  }

  @Delete(':id')
  @Access(MANAGERS)
  @OwnedBy('endpoint')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.endpoints.remove(id, principal);
  }
}

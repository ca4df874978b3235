import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, ADMINS, PORTAL_READERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { decodeCursor, Page, PageOf, toPage } from '../http/pagination';
import { CreateEventTypeDto, EventTypeListQuery, EventTypeResource, UpdateEventTypeDto } from './event-type.dto';
import { EventTypesRepository, toEventTypeResource } from './event-types.repository';
import { EventTypesService } from './event-types.service';

@ApiTags('event-types')
@ApiBearerAuth()
// The catalog is shared by every tenant: only a key across tenants changes it.
@Access(ADMINS, { acrossTenants: true })
@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService, private readonly repository: EventTypesRepository) {}

  @Post()
  @ApiOperation({ summary: 'Adds a type to the catalog; a JSON Schema, when given, is checked on every published event of the type' })
  @ApiCreatedResponse({ type: EventTypeResource })
  create(@Body() body: CreateEventTypeDto, @CurrentPrincipal() principal: Principal): Promise<EventTypeResource> {
    return this.eventTypes.create(body, principal);
  }

  @Get()
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'The catalog by name; archived types only with include_archived=true' })
  @ApiOkResponse({ type: PageOf(EventTypeResource) })
  async list(@Query() query: EventTypeListQuery): Promise<Page<EventTypeResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.repository.list(decodeCursor(query.cursor), limit + 1, query.include_archived ?? false);
    return toPage(rows, limit, (row) => row.name, toEventTypeResource);
  }

  @Get(':name')
  @Access(PORTAL_READERS)
  @ApiOkResponse({ type: EventTypeResource })
  get(@Param('name') name: string): Promise<EventTypeResource> {
    return this.eventTypes.get(name);
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Changes the description or schema; archived: false restores an archived type' })
  @ApiOkResponse({ type: EventTypeResource })
  update(@Param('name') name: string, @Body() body: UpdateEventTypeDto, @CurrentPrincipal() principal: Principal): Promise<EventTypeResource> {
    return this.eventTypes.update(name, body, principal);
  }

  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Archives the type: it keeps its history, leaves the list, and events of it are refused (422)' })
  @ApiNoContentResponse()
  remove(@Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.eventTypes.archive(name, principal);
  }
}

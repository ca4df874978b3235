import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@hookledger/observability';
import { Access, ADMINS, PORTAL_READERS } from '../auth/access';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { decodeCursor, Page, PageOf, toPage } from '../http/pagination';
import { ArchiveEventTypeCommand, ChangeEventTypeCommand, CreateEventTypeCommand } from './commands';
import { CreateEventTypeDto, EventTypeListQuery, EventTypeResource, UpdateEventTypeDto } from './event-type.dto';
import { EventTypesRepository, toEventTypeResource } from './event-types.repository';

/** HTTP for the catalog: a request becomes a command, and the answer is read back from the projection the command wrote. */
@ApiTags('event-types')
@ApiBearerAuth()
// The catalog is shared by every tenant: only a key across tenants changes it.
@Access(ADMINS, { acrossTenants: true })
@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly commands: CommandBus, private readonly eventTypes: EventTypesRepository) {}

  @Post()
  @ApiOperation({ summary: 'Adds a type to the catalog; a JSON Schema, when given, is checked on every published event of the type' })
  @ApiCreatedResponse({ type: EventTypeResource })
  async create(@Body() body: CreateEventTypeDto, @CurrentPrincipal() principal: Principal): Promise<EventTypeResource> {
    await this.commands.execute(new CreateEventTypeCommand(body.name, body.description ?? '', body.schema ?? null, actorOf(principal)));
    return this.get(body.name);
  }

  @Get()
  @Access(PORTAL_READERS)
  @ApiOperation({ summary: 'The catalog by name; archived types only with include_archived=true' })
  @ApiOkResponse({ type: PageOf(EventTypeResource) })
  async list(@Query() query: EventTypeListQuery): Promise<Page<EventTypeResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.eventTypes.list(decodeCursor(query.cursor), limit + 1, query.include_archived ?? false);
    return toPage(rows, limit, (row) => row.name, toEventTypeResource);
  }

  @Get(':name')
  @Access(PORTAL_READERS)
  @ApiOkResponse({ type: EventTypeResource })
  async get(@Param('name') name: string): Promise<EventTypeResource> {
    const row = await this.eventTypes.find(name);
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, `Event type "${name}" does not exist.`);
    return toEventTypeResource(row);
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Changes the description or schema; archived: false restores an archived type' })
  @ApiOkResponse({ type: EventTypeResource })
  async update(@Param('name') name: string, @Body() body: UpdateEventTypeDto, @CurrentPrincipal() principal: Principal): Promise<EventTypeResource> {
    const { description, schema, archived } = body;
    await this.commands.execute(new ChangeEventTypeCommand(name, { description, schema, archived }, actorOf(principal)));
    return this.get(name);
  }

  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Archives the type: it keeps its history, leaves the list, and events of it are refused (422)' })
  @ApiNoContentResponse()
  async remove(@Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.commands.execute(new ArchiveEventTypeCommand(name, actorOf(principal)));
  }
}

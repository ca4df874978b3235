import { Body, Controller, Get, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@hookledger/observability';
import { decodeCursor, Page, PageQuery, toPage } from '../http/pagination';
import { CreateEventTypeDto, EventTypeResource } from './event-type.dto';
import { EventTypesRepository } from './event-types.repository';

@ApiTags('event-types')
@ApiBearerAuth()
@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesRepository) {}

  @Post()
  @ApiCreatedResponse({ type: EventTypeResource })
  async create(@Body() body: CreateEventTypeDto): Promise<EventTypeResource> {
    const created = await this.eventTypes.create({ name: body.name, description: body.description ?? '', schema: body.schema ?? null });
    if (!created) throw new ProblemException(HttpStatus.CONFLICT, `Event type "${body.name}" already exists.`);
    return created;
  }

  @Get()
  async list(@Query() query: PageQuery): Promise<Page<EventTypeResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.eventTypes.list(decodeCursor(query.cursor), limit + 1);
    return toPage(rows, limit, (row) => row.name, (row) => row);
  }

  @Get(':name')
  @ApiOkResponse({ type: EventTypeResource })
  async get(@Param('name') name: string): Promise<EventTypeResource> {
    const found = await this.eventTypes.find(name);
    if (!found) throw new ProblemException(HttpStatus.NOT_FOUND, `Event type "${name}" does not exist.`);
    return found;
  }
}

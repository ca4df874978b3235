import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@hookledger/observability';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { toDeliveryResource } from '../deliveries/delivery.resource';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { AcceptedBatch, AcceptedEvent, EventListQuery, EventResource, PublishBatchDto, PublishEventDto } from './event.dto';
import { EventsService } from './events.service';
import { MessagesRepository, toEventResource } from './messages.repository';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly messages: MessagesRepository,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AcceptedEvent, description: 'Durably accepted; delivery follows' })
  async publish(@Body() body: PublishEventDto): Promise<AcceptedEvent> {
    const [accepted] = await this.events.publish([body]);
    return accepted;
  }

  @Post('batch')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AcceptedBatch })
  async publishBatch(@Body() body: PublishBatchDto): Promise<AcceptedBatch> {
    return { data: await this.events.publish(body.events) };
  }

  @Get()
  async list(@Query() query: EventListQuery): Promise<Page<EventResource>> {
    const limit = query.limit ?? 50;
    const before = decodeCursor(query.cursor);
    if (before !== null && !/^\d+$/.test(before)) throw new ProblemException(HttpStatus.BAD_REQUEST, 'The cursor is not valid.');
    const rows = await this.messages.list({ beforeSeq: before, type: query.type }, limit + 1);
    return toPage(rows, limit, (row) => row.seq, toEventResource);
  }

  @Get(':id')
  @ApiOkResponse({ type: EventResource })
  async get(@Param('id') id: string): Promise<EventResource> {
    const row = await this.messages.find(id);
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, `Event ${id} does not exist (yet: accepted events appear once ingested).`);
    const deliveries = await this.deliveries.forMessage(id);
    return { ...toEventResource(row), deliveries: deliveries.map(toDeliveryResource) };
  }
}

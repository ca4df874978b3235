import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { toDeliveryResource } from '../deliveries/delivery.resource';
import { decodeNumericCursor, Page, PageOf, toPage } from '../http/pagination';
import { Access, OwnedBy, PUBLISHERS, READERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { AcceptedBatch, AcceptedEventWithDestination, EventListQuery, EventResource, PublishBatchDto, PublishOneEventDto } from './event.dto';
import { TenantScope } from '../auth/tenant-scope';
import { EventsService } from './events.service';
import { MessagesRepository, toEventResource } from './messages.repository';
import { notFound } from '../http/not-found';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly messages: MessagesRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly scope: TenantScope,
  ) {}

  @Post()
  @Access(PUBLISHERS)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AcceptedEventWithDestination, description: 'Durably accepted; delivery follows' })
  @ApiServiceUnavailableResponse({ description: 'The event bus did not acknowledge the event; retry with the same id or Idempotency-Key' })
  async publish(@Body() body: PublishOneEventDto, @CurrentPrincipal() principal: Principal): Promise<AcceptedEventWithDestination> {
    const { destination, ...event } = body;
    if (destination) return this.events.publishToDestination(event, destination, principal);
    return this.events.publishOne(event, principal);
  }

  @Post('batch')
  @Access(PUBLISHERS)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AcceptedBatch })
  @ApiServiceUnavailableResponse({ description: 'The event bus did not acknowledge the events; retry with the same ids or Idempotency-Key' })
  async publishBatch(@Body() body: PublishBatchDto, @CurrentPrincipal() principal: Principal): Promise<AcceptedBatch> {
    return { data: await this.events.publishBatch(body.events, principal) };
  }

  @Get()
  @Access(READERS)
  @ApiOperation({ summary: 'Published events, newest first, filtered by type, tenant, channel and timestamp' })
  @ApiOkResponse({ type: PageOf(EventResource) })
  async list(@Query() query: EventListQuery, @CurrentPrincipal() principal: Principal): Promise<Page<EventResource>> {
    const limit = query.limit ?? 50;
    const rows = await this.messages.list({ ...query, tenant_id: this.scope.listTenant(principal, query.tenant_id) }, decodeNumericCursor(query.cursor), limit + 1);
    return toPage(rows, limit, (row) => row.seq, toEventResource);
  }

  @Get(':id')
  @Access(READERS)
  @OwnedBy('event')
  @ApiOkResponse({ type: EventResource })
  async get(@Param('id') id: string): Promise<EventResource> {
    const row = await this.messages.find(id);
    if (!row) throw notFound('event', id);
    const deliveries = await this.deliveries.forMessage(id);
    return { ...toEventResource(row), deliveries: deliveries.map(toDeliveryResource) };
  }
}

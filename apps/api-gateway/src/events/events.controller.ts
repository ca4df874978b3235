import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { ProblemException } from '@hookledger/observability';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { toDeliveryResource } from '../deliveries/delivery.resource';
import { decodeNumericCursor, Page, PageOf, toPage } from '../http/pagination';
import { Access, OwnedBy, PUBLISHERS, READERS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { AcceptedBatch, AcceptedEventWithDestination, EventListQuery, EventQuery, EventResource, PublishBatchDto, PublishOneEventDto } from './event.dto';
import { TenantScope } from '../auth/tenant-scope';
import { EventsService } from './events.service';
import { EVERY_TENANT, MessagesRepository, toEventResource } from './messages.repository';
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
  @ApiAcceptedResponse({ type: AcceptedEventWithDestination, description: 'Durably accepted; delivery follows. A repeat of an id your tenant already published answers 202 too, with `duplicate: true`, and is not delivered again' })
  @ApiServiceUnavailableResponse({ description: 'The event bus did not acknowledge the event; retry with the same id or Idempotency-Key' })
  async publish(@Body() body: PublishOneEventDto, @CurrentPrincipal() principal: Principal): Promise<AcceptedEventWithDestination> {
    const { destination, ...event } = body;
    if (destination) return this.events.publishToDestination(event, destination, principal);
    return this.events.publishOne(event, principal);
  }

  @Post('batch')
  @Access(PUBLISHERS)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AcceptedBatch, description: 'Durably accepted; each item says whether it was a duplicate of an event your tenant already published' })
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
  @ApiNotFoundResponse({ description: 'No such event (or none the key may see)' })
  @ApiConflictResponse({ description: 'A key across tenants named an id that several tenants used, without tenant_id: the answer lists them' })
  async get(@Param('id') id: string, @Query() query: EventQuery, @CurrentPrincipal() principal: Principal): Promise<EventResource> {
    const tenant = this.scope.listTenant(principal, query.tenant_id);
    const rows = await this.messages.withId(tenant ?? EVERY_TENANT, id);
    if (rows.length === 0) throw notFound('event', id);
    if (rows.length > 1) {
      const tenants = rows.map((row) => row.tenant_id);
      throw new ProblemException(HttpStatus.CONFLICT, `Event id ${id} is used by ${rows.length} tenants (${tenants.join(', ')}); name one with ?tenant_id=.`, {
        tenants, errors: [{ field: 'tenant_id', message: `required: one of ${tenants.join(', ')}` }],
      });
    }
    const [row] = rows;
    const deliveries = await this.deliveries.forMessage(row.tenant_id, id);
    return { ...toEventResource(row), deliveries: deliveries.map(toDeliveryResource) };
  }
}

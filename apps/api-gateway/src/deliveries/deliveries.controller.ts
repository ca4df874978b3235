import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { Access, MANAGERS, OwnedBy, PORTAL_READERS } from '../auth/access';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { decodeCursor, decodeNumericCursor, Page, PageOf, PageQuery, toPage } from '../http/pagination';
import { AttemptBodies } from './attempt-bodies';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryRetryService } from './delivery-retry.service';
import { AttemptResource, DeliveryResource, RetryAcceptedResource, toAttemptResource, toDeliveryResource } from './delivery.resource';
import { DeliveryQuery } from './delivery-query';
import { notFound } from '../http/not-found';

@ApiTags('deliveries')
@ApiBearerAuth()
@Access(PORTAL_READERS)
@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesRepository, private readonly retries: DeliveryRetryService, private readonly scope: TenantScope,
    private readonly bodies: AttemptBodies,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Deliveries, newest first, filtered by endpoint, event, event type, status and creation time' })
  @ApiOkResponse({ type: PageOf(DeliveryResource) })
  async list(@Query() query: DeliveryQuery, @CurrentPrincipal() principal: Principal): Promise<Page<DeliveryResource>> {
    const limit = query.limit ?? 50;
    const tenantId = this.scope.listTenant(principal, query.tenant_id);
    // Naming another tenant's endpoint or event answers as if it did not exist, as its own route would.
    await this.scope.requireVisible(principal, 'endpoint', query.endpoint_id);
    await this.scope.requireVisible(principal, 'event', query.event_id);
    const rows = await this.deliveries.list({ ...query, tenant_id: tenantId }, decodeCursor(query.cursor), limit + 1);
    return toPage(rows, limit, (row) => row.id, toDeliveryResource);
  }

  @Get(':id')
  @OwnedBy('delivery')
  @ApiOkResponse({ type: DeliveryResource })
  async get(@Param('id') id: string): Promise<DeliveryResource> {
    const row = await this.deliveries.find(id);
    if (!row) throw notFound('delivery', id);
    return toDeliveryResource(row);
  }

  @Get(':id/attempts')
  @OwnedBy('delivery')
  @ApiOperation({ summary: "The delivery's attempts, oldest first" })
  @ApiOkResponse({ type: PageOf(AttemptResource) })
  async attempts(@Param('id') id: string, @Query() query: PageQuery): Promise<Page<AttemptResource>> {
    const limit = query.limit ?? 50;
    const after = decodeNumericCursor(query.cursor);
    if (!(await this.deliveries.find(id))) throw notFound('delivery', id);
    const rows = await this.deliveries.attempts(id, after, limit + 1);
    const page = rows.slice(0, limit);
    const bodies = await this.bodies.open(page);
    return toPage(rows, limit, (row) => String(row.attempt), (row) => toAttemptResource(row, bodies[page.indexOf(row)]));
  }

  @Post(':id/retry')
  @Access(MANAGERS)
  @OwnedBy('delivery')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send the delivery again now, as a manual attempt, whatever its status' })
  @ApiAcceptedResponse({ type: RetryAcceptedResource })
  @ApiNotFoundResponse({ description: 'No such delivery' })
  @ApiConflictResponse({ description: 'The endpoint is disabled, paused or deleted' })
  @ApiServiceUnavailableResponse({ description: 'The event bus did not acknowledge the retry; nothing was queued' })
  retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<RetryAcceptedResource> {
    return this.retries.retry(id, actorOf(principal));
  }
}


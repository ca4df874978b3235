import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '@hookledger/observability';
import { Access, AUDITORS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { AttemptBodies, OpenedAttemptBody } from '../deliveries/attempt-bodies';
import { notFound } from '../http/not-found';
import { decodeCursor, Page, PageOf, toPage } from '../http/pagination';
import { DeliveryHistoryQuery, DeliveryHistoryResource } from './delivery-history.dto';
import { DeliveryHistoryRepository, HistoryRow } from './delivery-history.repository';

const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|([A-Za-z0-9_]{1,64})$/;

/**
 * "What did we send to whom, when, and what did they answer": every attempt, newest first, with
 * the request as sent (credentials redacted), the answer (its body opened from the tenant's data
 * key, or when it was purged) and the DeliveryAttempted event that records it in the ledger.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Access(AUDITORS)
@Controller('v1/audit/deliveries')
export class DeliveryHistoryController {
  constructor(private readonly history: DeliveryHistoryRepository, private readonly bodies: AttemptBodies, private readonly scope: TenantScope) {}

  @Get()
  @ApiOperation({
    summary: 'Delivery history: each attempt with the request as sent, the answer and its ledger position, newest first',
    description: 'Filters: tenant_id, endpoint_id, event_type, since/until (the attempt\'s start), outcome. A key bound to a tenant sees its own attempts only.',
  })
  @ApiOkResponse({ type: PageOf(DeliveryHistoryResource) })
  @ApiBadRequestResponse({ description: 'A filter or the cursor is not valid (problem+json naming it)' })
  @ApiNotFoundResponse({ description: 'endpoint_id names no endpoint of the key\'s tenant' })
  async list(@Query() query: DeliveryHistoryQuery, @CurrentPrincipal() principal: Principal): Promise<Page<DeliveryHistoryResource>> {
    const limit = query.limit ?? 50;
    if (query.since !== undefined && query.until !== undefined && Date.parse(query.since) >= Date.parse(query.until)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'since must be before until.', { errors: [{ field: 'until', message: 'until must be after since' }] });
    }
    const tenantId = this.scope.listTenant(principal, query.tenant_id);
    // Another tenant's endpoint looks like none at all to a key bound to a tenant, as on every route.
    if (principal.tenantId !== null && query.endpoint_id !== undefined && !(await this.history.endpointIsTenants(query.endpoint_id, principal.tenantId))) {
      throw notFound('endpoint', query.endpoint_id);
    }
    const rows = await this.history.page({
      tenantId,
      endpointId: query.endpoint_id,
      eventType: query.event_type,
      since: query.since,
      until: query.until,
      outcome: query.outcome,
      before: historyCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const bodies = await this.bodies.open(page);
    return toPage(rows, limit, (row) => `${row.started_at.toISOString()}|${row.id}`, (row) => toHistoryResource(row, bodies[page.indexOf(row)]));
  }
}

function historyCursor(cursor: string | undefined): { startedAt: string; id: string } | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const match = CURSOR.exec(key);
  if (!match || Number.isNaN(Date.parse(match[1]))) {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'The cursor is not valid; pass next_cursor from a previous page unchanged.', {
      errors: [{ field: 'cursor', message: 'cursor is not valid' }],
    });
  }
  return { startedAt: match[1], id: match[2] };
}

function toHistoryResource(row: HistoryRow, body: OpenedAttemptBody): DeliveryHistoryResource {
  // Every row is projected from its event (migration 1732400000064 rebuilt the older ones): one
  // without is a projection out of step with the ledger, which no answer should paper over.
  if (row.ledger_position === null || row.stream_id === null || row.stream_version === null || row.hash === null) {
    throw new Error(`attempt ${row.id} names no DeliveryAttempted in the ledger; rebuild the deliveries projection`);
  }
  return {
    attempt_id: row.id,
    delivery_id: row.delivery_id,
    message_id: row.message_id,
    endpoint_id: row.endpoint_id,
    tenant_id: row.tenant_id,
    event_type: row.event_type,
    attempt: row.attempt,
    trigger: row.trigger,
    ledger: {
      position: row.ledger_position,
      stream_id: row.stream_id,
      version: row.stream_version,
      hash: row.hash.toString('hex'),
    },
    request: {
      url: row.url,
      method: row.request_method,
      headers: row.request_headers,
      body_sha256: row.body_sha256,
      signature: row.signature,
    },
    response: {
      status_code: row.status_code,
      duration_ms: row.duration_ms,
      started_at: row.started_at.toISOString(),
      outcome: row.outcome,
      error: row.error,
      body_excerpt: body.text,
      body_purged_at: body.purged_at?.toISOString() ?? null,
    },
  };
}

import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newId } from '@hookledger/domain';
import { EndpointProjection, Replays } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { actorOf, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { CreateReplayDto, ReplayQuery, ReplayResource, toReplayResource } from './replay.dto';
import { notFound } from '../http/not-found';

/**
 * Replays are durable jobs: the API only records what to re-deliver; the scheduler's
 * ReplayRunner sends it page by page and survives restarts of every app.
 */
@Injectable()
export class ReplaysService {
  private readonly logger = new Logger(ReplaysService.name);

  constructor(private readonly db: DataSource, private readonly endpoints: EndpointProjection, private readonly replays: Replays, private readonly scope: TenantScope) {}

  async create(endpointId: string, input: CreateReplayDto, principal: Principal): Promise<ReplayResource> {
    const since = new Date(input.since);
    const until = input.until === undefined ? null : new Date(input.until);
    if (until && until <= since) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'until must be after since', { errors: [{ field: 'until', message: 'until must be after since' }] });
    }
    const endpoint = await this.endpoints.find(endpointId);
    if (!endpoint) throw notFound('endpoint', endpointId);
    if (!endpoint.active) {
      throw new ProblemException(HttpStatus.CONFLICT, `Endpoint ${endpointId} is disabled; enable it (POST /v1/endpoints/${endpointId}/enable) before replaying.`);
    }
    const row = await this.replays.create(this.db.manager, {
      id: newId('rpl'), endpoint_id: endpointId, tenant_id: endpoint.tenant_id, since, until, status: input.status ?? 'failed', created_by: actorOf(principal),
    });
    this.logger.log({ msg: 'replay created', replay_id: row.id, endpoint_id: endpointId, total: row.total, status: row.status });
    return toReplayResource(row);
  }

  async list(query: ReplayQuery, principal: Principal): Promise<Page<ReplayResource>> {
    const limit = query.limit ?? 50;
    await this.scope.requireVisible(principal, 'endpoint', query.endpoint_id);
    const tenantId = this.scope.listTenant(principal, undefined);
    const rows = await this.replays.list({ before: decodeCursor(query.cursor), endpointId: query.endpoint_id, state: query.state, tenantId }, limit + 1);
    return toPage(rows, limit, (row) => row.id, toReplayResource);
  }

  async get(id: string): Promise<ReplayResource> {
    const row = await this.replays.find(id);
    if (!row) throw notFound('replay', id);
    return toReplayResource(row);
  }
}

import { Injectable } from '@nestjs/common';
import { Replays } from '@hookledger/event-store';
import { Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { ReplayQuery, ReplayResource, toReplayResource } from './replay.dto';
import { notFound } from '../http/not-found';

/**
 * The read side of replays, from the `replays` projection. Replays are durable jobs: the API only
 * requests them (RequestReplayCommand); the scheduler's ReplayRunner sends them page by page and
 * survives restarts of every app.
 */
@Injectable()
export class ReplaysService {
  constructor(private readonly replays: Replays, private readonly scope: TenantScope) {}

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

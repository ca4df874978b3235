import { Command } from '@nestjs/cqrs';
import type { ReplayStatusFilter } from '@hookledger/domain';

/** POST /v1/endpoints/:id/replay: answers the new replay's id; the scheduler does the sending. */
export class RequestReplayCommand extends Command<string> {
  constructor(
    readonly endpointId: string,
    readonly since: Date,
    /** null: up to the moment of the request, so deliveries that arrive later are not swept in. */
    readonly until: Date | null,
    readonly status: ReplayStatusFilter,
    /** Who asks: `api-key:<id>`, recorded as the events' actor (the replay's created_by). */
    readonly actor: string,
  ) {
    super();
  }
}

import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId, replayAggregate, replayStreamId } from '@hookledger/domain';
import { AggregateRepository, EndpointProjection, Replays } from '@hookledger/event-store';
import { notFound } from '../../http/not-found';
import { RequestReplayCommand } from './request-replay.command';

/** Counts what the replay covers (the domain records it as `total`) and requests it on a new stream. */
@CommandHandler(RequestReplayCommand)
export class RequestReplayHandler implements ICommandHandler<RequestReplayCommand> {
  private readonly logger = new Logger(RequestReplayHandler.name);

  constructor(private readonly aggregates: AggregateRepository, private readonly endpoints: EndpointProjection, private readonly replays: Replays) {}

  async execute(command: RequestReplayCommand): Promise<string> {
    const endpoint = await this.endpoints.find(command.endpointId);
    if (!endpoint) throw notFound('endpoint', command.endpointId);
    const until = command.until ?? new Date();
    const range = { endpoint_id: endpoint.id, since: command.since, until, status: command.status };
    const total = await this.replays.countMatching(range);
    const id = newId('rpl');
    await this.aggregates.handle(replayAggregate, replayStreamId(id), {
      type: 'RequestReplay',
      data: {
        replay_id: id, endpoint_id: endpoint.id, tenant_id: endpoint.tenant_id, endpoint_active: endpoint.active,
        since: command.since.toISOString(), until: until.toISOString(), status: command.status, total,
      },
    }, { actor: command.actor });
    this.logger.log({ msg: 'replay created', replay_id: id, endpoint_id: endpoint.id, total, status: command.status });
    return id;
  }
}

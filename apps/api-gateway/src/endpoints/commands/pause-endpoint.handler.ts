import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { endpointMetadata } from './endpoint-metadata';
import { PauseEndpointCommand } from './pause-endpoint.command';

@CommandHandler(PauseEndpointCommand)
export class PauseEndpointHandler implements ICommandHandler<PauseEndpointCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly endpoints: EndpointProjection) {}

  async execute(command: PauseEndpointCommand): Promise<void> {
    const id = command.endpointId;
    await this.aggregates.handle(endpointAggregate, endpointStreamId(id), { type: 'PauseEndpoint', endpoint_id: id }, await endpointMetadata(this.endpoints, id, command.actor));
  }
}

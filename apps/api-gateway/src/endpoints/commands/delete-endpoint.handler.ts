import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { DeleteEndpointCommand } from './delete-endpoint.command';
import { endpointMetadata } from './endpoint-metadata';

@CommandHandler(DeleteEndpointCommand)
export class DeleteEndpointHandler implements ICommandHandler<DeleteEndpointCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly endpoints: EndpointProjection) {}

  async execute(command: DeleteEndpointCommand): Promise<void> {
    const id = command.endpointId;
    await this.aggregates.handle(endpointAggregate, endpointStreamId(id), { type: 'DeleteEndpoint', endpoint_id: id }, await endpointMetadata(this.endpoints, id, command.actor));
  }
}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { DisableEndpointCommand } from './disable-endpoint.command';
import { EndpointActivation } from './endpoint-activation';
import { endpointMetadata } from './endpoint-metadata';

@CommandHandler(DisableEndpointCommand)
export class DisableEndpointHandler implements ICommandHandler<DisableEndpointCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly endpoints: EndpointProjection, private readonly activation: EndpointActivation) {}

  async execute(command: DisableEndpointCommand): Promise<void> {
    const id = command.endpointId;
    const metadata = await endpointMetadata(this.endpoints, id, command.actor);
    await this.aggregates.transaction(async (tx) => {
      const handled = await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), {
        type: 'DisableEndpoint', endpoint_id: id, by: 'operator', ...(command.reason !== undefined && { reason: command.reason }),
      }, metadata);
      await this.activation.followUp(tx, metadata, handled.events);
    });
  }
}

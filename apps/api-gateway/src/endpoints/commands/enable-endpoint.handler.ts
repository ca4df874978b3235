import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { EnableEndpointCommand } from './enable-endpoint.command';
import { EndpointActivation } from './endpoint-activation';
import { endpointMetadata } from './endpoint-metadata';

@CommandHandler(EnableEndpointCommand)
export class EnableEndpointHandler implements ICommandHandler<EnableEndpointCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly endpoints: EndpointProjection, private readonly activation: EndpointActivation) {}

  async execute(command: EnableEndpointCommand): Promise<void> {
    const id = command.endpointId;
    const metadata = await endpointMetadata(this.endpoints, id, command.actor);
    await this.aggregates.transaction(async (tx) => {
      const handled = await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id), { type: 'EnableEndpoint', endpoint_id: id, by: 'operator' }, metadata);
      await this.activation.followUp(tx, metadata, handled.events);
    });
  }
}

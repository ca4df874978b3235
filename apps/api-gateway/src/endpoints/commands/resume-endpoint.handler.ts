import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, EndpointProjection } from '@hookledger/event-store';
import { endpointMetadata } from './endpoint-metadata';
import { ResumeEndpointCommand } from './resume-endpoint.command';

@CommandHandler(ResumeEndpointCommand)
export class ResumeEndpointHandler implements ICommandHandler<ResumeEndpointCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly endpoints: EndpointProjection) {}

  async execute(command: ResumeEndpointCommand): Promise<void> {
    const id = command.endpointId;
    await this.aggregates.handle(endpointAggregate, endpointStreamId(id), { type: 'ResumeEndpoint', endpoint_id: id }, await endpointMetadata(this.endpoints, id, command.actor));
  }
}

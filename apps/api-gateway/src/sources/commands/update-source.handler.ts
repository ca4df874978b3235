import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { sourceStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { sourceAggregate } from './source-aggregate';
import { UpdateSourceCommand } from './update-source.command';

@CommandHandler(UpdateSourceCommand)
export class UpdateSourceHandler implements ICommandHandler<UpdateSourceCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute(command: UpdateSourceCommand): Promise<void> {
    await this.aggregates.handle(sourceAggregate, sourceStreamId(command.sourceId), { kind: 'UpdateSource', source_id: command.sourceId, name: command.name },
      { actor: command.actor, tenant_id: command.tenantId });
  }
}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { sourceStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { DeleteSourceCommand } from './delete-source.command';
import { sourceAggregate } from './source-aggregate';

@CommandHandler(DeleteSourceCommand)
export class DeleteSourceHandler implements ICommandHandler<DeleteSourceCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute(command: DeleteSourceCommand): Promise<void> {
    await this.aggregates.handle(sourceAggregate, sourceStreamId(command.sourceId), { kind: 'DeleteSource', source_id: command.sourceId },
      { actor: command.actor, tenant_id: command.tenantId });
  }
}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { eventTypeStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { ArchiveEventTypeCommand } from './archive-event-type.command';
import { eventTypeAggregate } from './event-type-aggregate';

@CommandHandler(ArchiveEventTypeCommand)
export class ArchiveEventTypeHandler implements ICommandHandler<ArchiveEventTypeCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute(command: ArchiveEventTypeCommand): Promise<void> {
    await this.aggregates.handle(eventTypeAggregate, eventTypeStreamId(command.name), { kind: 'ArchiveEventType', name: command.name }, { actor: command.actor });
  }
}

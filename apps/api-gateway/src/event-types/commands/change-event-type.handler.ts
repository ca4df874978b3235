import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { eventTypeStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { ChangeEventTypeCommand } from './change-event-type.command';
import { eventTypeAggregate } from './event-type-aggregate';
import { checkEventSchema } from './event-schema-check';

@CommandHandler(ChangeEventTypeCommand)
export class ChangeEventTypeHandler implements ICommandHandler<ChangeEventTypeCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute(command: ChangeEventTypeCommand): Promise<void> {
    checkEventSchema(command.changes.schema);
    await this.aggregates.handle(
      eventTypeAggregate,
      eventTypeStreamId(command.name),
      { kind: 'ChangeEventType', name: command.name, ...command.changes },
      { actor: command.actor },
    );
  }
}

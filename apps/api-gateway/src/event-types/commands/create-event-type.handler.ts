import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { eventTypeStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { CreateEventTypeCommand } from './create-event-type.command';
import { eventTypeAggregate } from './event-type-aggregate';
import { checkEventSchema } from './event-schema-check';

@CommandHandler(CreateEventTypeCommand)
export class CreateEventTypeHandler implements ICommandHandler<CreateEventTypeCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute(command: CreateEventTypeCommand): Promise<void> {
    checkEventSchema(command.schema);
    await this.aggregates.handle(
      eventTypeAggregate,
      eventTypeStreamId(command.name),
      { kind: 'CreateEventType', name: command.name, description: command.description, schema: command.schema },
      { actor: command.actor },
    );
  }
}

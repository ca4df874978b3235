import { Command } from '@nestjs/cqrs';

/** DELETE /v1/event-types/:name: archives; the type keeps its history and its name. */
export class ArchiveEventTypeCommand extends Command<void> {
  constructor(readonly name: string, readonly actor: string) {
    super();
  }
}

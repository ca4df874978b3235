import { Command } from '@nestjs/cqrs';

export class CreateEventTypeCommand extends Command<void> {
  constructor(
    readonly name: string,
    readonly description: string,
    readonly schema: Record<string, unknown> | null,
    /** Who asks: `api-key:<id>`, recorded as the events' actor. */
    readonly actor: string,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';

/** PATCH /v1/sources/:id. */
export class UpdateSourceCommand extends Command<void> {
  constructor(readonly sourceId: string, readonly tenantId: string, readonly name: string | undefined, readonly actor: string) {
    super();
  }
}

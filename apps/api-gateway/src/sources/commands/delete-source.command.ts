import { Command } from '@nestjs/cqrs';

/** DELETE /v1/sources/:id: its ingest URL answers 404 from then on. */
export class DeleteSourceCommand extends Command<void> {
  constructor(readonly sourceId: string, readonly tenantId: string, readonly actor: string) {
    super();
  }
}

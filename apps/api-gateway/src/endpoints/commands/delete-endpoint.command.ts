import { Command } from '@nestjs/cqrs';

/** DELETE /v1/endpoints/:id: inactive for good and out of every list; its row and stream kept for history. */
export class DeleteEndpointCommand extends Command<void> {
  constructor(readonly endpointId: string, readonly actor: string) {
    super();
  }
}

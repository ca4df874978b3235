import { Command } from '@nestjs/cqrs';

/** POST /v1/endpoints/:id/disable by an operator; the reason defaults to "disabled by an operator". */
export class DisableEndpointCommand extends Command<void> {
  constructor(readonly endpointId: string, readonly reason: string | undefined, readonly actor: string) {
    super();
  }
}

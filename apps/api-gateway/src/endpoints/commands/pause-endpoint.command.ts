import { Command } from '@nestjs/cqrs';

/** POST /v1/endpoints/:id/pause: hold deliveries; new events are still stored for the endpoint. */
export class PauseEndpointCommand extends Command<void> {
  constructor(readonly endpointId: string, readonly actor: string) {
    super();
  }
}

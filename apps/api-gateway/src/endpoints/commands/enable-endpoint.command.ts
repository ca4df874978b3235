import { Command } from '@nestjs/cqrs';

/** POST /v1/endpoints/:id/enable: deliver again, with a closed circuit and no failure streak. */
export class EnableEndpointCommand extends Command<void> {
  constructor(readonly endpointId: string, readonly actor: string) {
    super();
  }
}

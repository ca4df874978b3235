import { Command } from '@nestjs/cqrs';

/** POST /v1/endpoints/:id/resume: send the held deliveries, oldest first. */
export class ResumeEndpointCommand extends Command<void> {
  constructor(readonly endpointId: string, readonly actor: string) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';

/** What the requeue recorded: the attempt the manual dispatch asks for, and the stream version it leaves. */
export interface Requeued {
  readonly attempt: number;
  readonly version: number;
}

/** POST /v1/deliveries/:id/retry: records who asked for the delivery to be sent again now. */
export class RequeueDeliveryCommand extends Command<Requeued> {
  constructor(readonly deliveryId: string, readonly actor: string) {
    super();
  }
}

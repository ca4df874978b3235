import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DeliveryEventType, deliveryStreamId } from '@hookledger/domain';
import { AggregateRepository } from '@hookledger/event-store';
import { deliveryAggregate } from './delivery-aggregate';
import { Requeued, RequeueDeliveryCommand } from './requeue-delivery.command';

/**
 * Appends DeliveryRequeued at the version it read, and commits it before the dispatch command is
 * published: a dispatcher that loaded the delivery before the requeue committed would record its
 * attempt at a stale version, after the webhook went out.
 */
@CommandHandler(RequeueDeliveryCommand)
export class RequeueDeliveryHandler implements ICommandHandler<RequeueDeliveryCommand> {
  constructor(private readonly aggregates: AggregateRepository) {}

  async execute(command: RequeueDeliveryCommand): Promise<Requeued> {
    const { events, version } = await this.aggregates.handle(
      deliveryAggregate, deliveryStreamId(command.deliveryId), { type: 'RequeueDelivery', data: { replay_id: null } }, { actor: command.actor },
    );
    const [requeued] = events;
    if (requeued?.type !== DeliveryEventType.DeliveryRequeued) throw new Error(`requeueing ${command.deliveryId} recorded no DeliveryRequeued`);
    return { attempt: requeued.data.attempt, version };
  }
}

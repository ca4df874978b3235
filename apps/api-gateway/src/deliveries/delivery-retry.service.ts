import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, topology, Topology } from '@hookledger/contracts';
import { JetStreamPublisher } from '@hookledger/messaging';
import { ProblemException } from '@hookledger/observability';
import { RequeueDeliveryCommand } from './commands';
import { DeliveriesRepository } from './deliveries.repository';
import type { RetryAcceptedResource } from './delivery.resource';
import { notFound } from '../http/not-found';

/**
 * Manual re-delivery of one delivery, whatever its status: DeliveryRequeued in its stream (who
 * asked, in the ledger), then a dispatch command for the next attempt with trigger 'manual'. Each
 * request is a new stream version, hence its own msgID, so retrying twice sends twice; the
 * dispatcher still sends only one of two commands racing for the same attempt number.
 */
@Injectable()
export class DeliveryRetryService {
  private readonly logger = new Logger(DeliveryRetryService.name);
  private readonly topology: Topology;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly commands: CommandBus,
    private readonly publisher: JetStreamPublisher,
    config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  async retry(id: string, actor: string): Promise<RetryAcceptedResource> {
    const target = await this.deliveries.findForRetry(id);
    if (!target) throw notFound('delivery', id);
    if (target.endpoint_deleted) throw conflict(`Endpoint ${target.endpoint_id} was deleted; its deliveries cannot be sent again.`);
    if (!target.endpoint_active) throw conflict(`Endpoint ${target.endpoint_id} is disabled; enable it (POST /v1/endpoints/${target.endpoint_id}/enable) before retrying.`);
    if (target.endpoint_paused) throw conflict(`Endpoint ${target.endpoint_id} is paused; resume it (POST /v1/endpoints/${target.endpoint_id}/resume) before retrying.`);

    const requeued = await this.commands.execute(new RequeueDeliveryCommand(id, actor));
    const command: DispatchCommand = { v: 1, delivery_id: id, attempt: requeued.attempt, trigger: 'manual' };
    try {
      await this.publisher.publish(this.topology.subjects.dispatch, command, dispatchMessageId(id, requeued.version, 'retry'));
    } catch (error) {
      this.logger.error({ msg: 'manual retry not published', delivery_id: id, err: error });
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The event bus did not acknowledge the retry; it was not queued. Try again.', { retry_after: 1 });
    }
    this.logger.log({ msg: 'manual retry queued', delivery_id: id, endpoint_id: target.endpoint_id, attempt: command.attempt });
    return { delivery_id: id, attempt: command.attempt };
  }
}

const conflict = (detail: string) => new ProblemException(HttpStatus.CONFLICT, detail);

import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { IngestCommand, topology, Topology } from '@hookledger/contracts';
import { newId } from '@hookledger/domain';
import { JetStreamPublisher } from '@hookledger/messaging';
import { ProblemException } from '@hookledger/observability';
import type { AcceptedEvent, PublishEventDto } from './event.dto';

/**
 * Accepting an event means JetStream has it: we answer 202 only after the publish is
 * acknowledged, and the msgID (= event id) makes a client's retry of the same publish a no-op.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);
  private readonly topology: Topology;

  constructor(private readonly publisher: JetStreamPublisher, config: HookledgerConfig) {
    this.topology = topology(config.natsNamespace);
  }

  async publish(events: readonly PublishEventDto[]): Promise<AcceptedEvent[]> {
    const timestamp = new Date().toISOString();
    const commands: IngestCommand[] = events.map((event) => ({
      v: 1,
      id: event.id ?? newId('msg'),
      type: event.type,
      timestamp,
      data: event.data,
      tenant_id: event.tenant_id ?? null,
      channels: event.channels ?? null,
    }));
    try {
      await this.publisher.publishMany(commands.map((command) => ({ subject: this.topology.subjects.ingest, payload: command, msgID: command.id })));
    } catch (error) {
      this.logger.error({ msg: 'publish to JetStream failed', err: error, events: commands.length });
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The event bus did not acknowledge the events; nothing was accepted for certain. Retry with the same ids: duplicates are dropped.', { retry_after: 1 });
    }
    return commands.map((command) => ({ id: command.id, type: command.type, timestamp }));
  }
}

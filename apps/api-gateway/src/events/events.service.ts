import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { IngestCommand, topology, Topology } from '@hookledger/contracts';
import { newId } from '@hookledger/domain';
import { JetStreamPublisher } from '@hookledger/messaging';
import { ProblemException } from '@hookledger/observability';
import type { Principal } from '../auth/principal';
import { EventSchemaValidator } from '../event-types/event-schema.validator';
import { AdhocDestinations } from './adhoc-destinations';
import type { AcceptedEvent, AcceptedEventWithDestination, DestinationDto, PublishEventDto } from './event.dto';

/**
 * Accepting an event means JetStream has it: we answer 202 only after the publish is
 * acknowledged, and the msgID (= event id) makes a client's retry of the same publish a no-op.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);
  private readonly topology: Topology;

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly destinations: AdhocDestinations,
    private readonly schemas: EventSchemaValidator,
    config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  /** Publishes a single event (`POST /v1/events`) once the catalog accepts it. */
  async publishOne(event: PublishEventDto): Promise<AcceptedEvent> {
    await this.schemas.check([event], 'single');
    const [accepted] = await this.publish([event]);
    return accepted;
  }

  /** Publishes a batch once the catalog accepts every element; otherwise nothing of it. */
  async publishBatch(events: readonly PublishEventDto[]): Promise<AcceptedEvent[]> {
    await this.schemas.check(events, 'batch');
    return this.publish(events);
  }

  /** Publishes to the subscribed endpoints, or with `endpointIds` to exactly those. Callers check the catalog first. */
  async publish(events: readonly PublishEventDto[], endpointIds?: readonly string[]): Promise<AcceptedEvent[]> {
    const timestamp = new Date().toISOString();
    const commands: IngestCommand[] = events.map((event) => ({
      v: 1,
      id: event.id ?? newId('msg'),
      type: event.type,
      timestamp,
      data: event.data,
      tenant_id: event.tenant_id ?? null,
      channels: event.channels ?? null,
      ...(endpointIds ? { endpoint_ids: endpointIds } : {}),
    }));
    try {
      await this.publisher.publishMany(commands.map((command) => ({ subject: this.topology.subjects.ingest, payload: command, msgID: command.id })));
    } catch (error) {
      this.logger.error({ msg: 'publish to JetStream failed', err: error, events: commands.length });
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The event bus did not acknowledge the events; nothing was accepted for certain. Retry with the same ids: duplicates are dropped.', { retry_after: 1 });
    }
    return commands.map((command) => ({ id: command.id, type: command.type, timestamp }));
  }

  /** Publishes one event to an ad-hoc destination, answering the destination's secret (this once). */
  async publishToDestination(event: PublishEventDto, destination: DestinationDto, principal: Principal): Promise<AcceptedEventWithDestination> {
    // Checked before the destination exists, so a refused event leaves no endpoint behind.
    await this.schemas.check([event], 'single');
    const created = await this.destinations.create(destination, event.tenant_id ?? null, principal);
    const [accepted] = await this.publish([event], [created.endpoint_id]);
    return { ...accepted, destination: created };
  }
}

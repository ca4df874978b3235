import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { IngestCommand, ingestMessageId, topology, Topology } from '@hookledger/contracts';
import { DEFAULT_TENANT, newId } from '@hookledger/domain';
import { JetStreamPublisher } from '@hookledger/messaging';
import { ProblemException } from '@hookledger/observability';
import type { Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { TenantsService } from '../tenants/tenants.service';
import { EventSchemaValidator } from '../event-types/event-schema.validator';
import { AdhocDestinations } from './adhoc-destinations';
import { MessagesRepository } from './messages.repository';
import type { AcceptedEvent, AcceptedEventWithDestination, DestinationDto, PublishEventDto } from './event.dto';

/**
 * Accepting an event means JetStream has it: we answer 202 only after the publish is
 * acknowledged, and the msgID (tenant and event id) makes a client's retry of the same publish a
 * no-op. Event ids are the publisher's and unique per tenant only, so everything that dedups them
 * (the msgID, the store) keys by (tenant, id): another tenant's `order-1001` is another event.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);
  private readonly topology: Topology;

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly destinations: AdhocDestinations,
    private readonly schemas: EventSchemaValidator,
    private readonly scope: TenantScope,
    private readonly tenants: TenantsService,
    private readonly messages: MessagesRepository,
    config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  /** Publishes a single event (`POST /v1/events`) once the catalog and the tenant's quota accept it. */
  async publishOne(event: PublishEventDto, principal: Principal): Promise<AcceptedEvent> {
    const [owned] = this.ownedBy([event], principal);
    await this.schemas.check([owned], 'single');
    const [accepted] = await this.admitted([owned], () => this.publish([owned]));
    return accepted;
  }

  /** Publishes a batch once the catalog accepts every element and the quotas all of them; otherwise nothing of it. */
  async publishBatch(events: readonly PublishEventDto[], principal: Principal): Promise<AcceptedEvent[]> {
    const owned = this.ownedBy(events, principal);
    await this.schemas.check(owned, 'batch');
    return this.admitted(owned, () => this.publish(owned));
  }

  /** Each event names its tenant: the key's own, the one given (a key across tenants), else the default tenant. */
  private ownedBy(events: readonly PublishEventDto[], principal: Principal): PublishEventDto[] {
    return events.map((event) => ({ ...event, tenant_id: this.scope.tenantForNew(principal, event.tenant_id) }));
  }

  /** Counts the events against their tenants' monthly quotas, and gives the count back if the bus does not take them. */
  private async admitted<T>(events: readonly PublishEventDto[], publish: () => Promise<T>): Promise<T> {
    const counts = new Map<string, number>();
    for (const event of events) counts.set(event.tenant_id!, (counts.get(event.tenant_id!) ?? 0) + 1);
    const release = await this.tenants.admitEvents(counts);
    try {
      return await publish();
    } catch (error) {
      await release();
      throw error;
    }
  }

  /**
   * Publishes to the subscribed endpoints, or with `endpointIds` to exactly those. Callers check the
   * catalog first. An event the tenant already published with this id is answered `duplicate: true`
   * and not sent again: stored ones are found in the store (beyond JetStream's dedup window), the
   * rest by JetStream's ack.
   */
  async publish(events: readonly PublishEventDto[], endpointIds?: readonly string[]): Promise<AcceptedEvent[]> {
    const timestamp = new Date().toISOString();
    const commands: (IngestCommand & { tenant_id: string })[] = events.map((event) => ({
      v: 1,
      id: event.id ?? newId('msg'),
      type: event.type,
      timestamp,
      data: event.data,
      tenant_id: event.tenant_id ?? DEFAULT_TENANT,
      channels: event.channels ?? null,
      ...(endpointIds ? { endpoint_ids: endpointIds } : {}),
    }));
    const stored = await this.messages.stored(events.flatMap((event, n) => (event.id === undefined ? [] : [commands[n]])));
    const fresh = commands.filter((command) => !stored.has(ingestMessageId(command.tenant_id, command.id)));
    let acks: { duplicate: boolean }[];
    try {
      acks = await this.publisher.publishMany(fresh.map((command) => ({ subject: this.topology.subjects.ingest, payload: command, msgID: ingestMessageId(command.tenant_id, command.id) })));
    } catch (error) {
      this.logger.error({ msg: 'publish to JetStream failed', err: error, events: commands.length });
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The event bus did not acknowledge the events; nothing was accepted for certain. Retry with the same ids: duplicates are dropped.', { retry_after: 1 });
    }
    const duplicateOnBus = new Set(fresh.filter((_, n) => acks[n].duplicate));
    return commands.map((command) => {
      const original = stored.get(ingestMessageId(command.tenant_id, command.id));
      if (original) return { id: command.id, type: original.type, timestamp: original.timestamp.toISOString(), duplicate: true };
      return { id: command.id, type: command.type, timestamp, duplicate: duplicateOnBus.has(command) };
    });
  }

  /** Publishes one event to an ad-hoc destination, answering the destination's secret (this once). */
  async publishToDestination(event: PublishEventDto, destination: DestinationDto, principal: Principal): Promise<AcceptedEventWithDestination> {
    const [owned] = this.ownedBy([event], principal);
    // Checked before the destination exists, so a refused event leaves no endpoint behind.
    await this.schemas.check([owned], 'single');
    return this.admitted([owned], async () => {
      const created = await this.destinations.create(destination, owned.tenant_id!, principal);
      const [accepted] = await this.publish([owned], [created.endpoint_id]);
      return { ...accepted, destination: created };
    });
  }
}

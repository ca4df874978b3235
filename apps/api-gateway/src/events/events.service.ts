import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { IngestCommand, ingestMessageId, topology, Topology } from '@hookledger/contracts';
import { DEFAULT_TENANT, MessageSource, newId } from '@hookledger/domain';
import { JetStreamPublisher } from '@hookledger/messaging';
import { ProblemException } from '@hookledger/observability';
import type { Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { TenantsService } from '../tenants/tenants.service';
import { EventSchemaValidator } from '../event-types/event-schema.validator';
import { AdhocDestinations } from './adhoc-destinations';
import { PublishLookup, PublishLookups } from './publish-lookup';
import { refuseReservedEventTypes } from './reserved-event-types';
import type { AcceptedDestination, AcceptedEvent, AcceptedEventWithDestination, DestinationDto, PublishEventDto } from './event.dto';

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
    private readonly lookups: PublishLookups,
    config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  /** Publishes a single event (`POST /v1/events`) once the catalog and the tenant's quota accept it. */
  async publishOne(event: PublishEventDto, principal: Principal): Promise<AcceptedEvent> {
    const [owned] = this.ownedBy([event], principal);
    refuseReservedEventTypes([owned], 'single');
    const lookup = await this.lookups.lookup(lookupOf([owned]));
    await this.schemas.check([owned], 'single', lookup.catalog);
    const [accepted] = await this.accept([owned], lookup);
    return accepted;
  }

  /** Publishes a batch once the catalog accepts every element and the quotas all of them; otherwise nothing of it. */
  async publishBatch(events: readonly PublishEventDto[], principal: Principal): Promise<AcceptedEvent[]> {
    const owned = this.ownedBy(events, principal);
    refuseReservedEventTypes(owned, 'batch');
    const lookup = await this.lookups.lookup(lookupOf(owned));
    await this.schemas.check(owned, 'batch', lookup.catalog);
    return this.accept(owned, lookup);
  }

  /**
   * Publishes one event to an ad-hoc destination, answering the destination's secret (this once).
   * A repeat of an event the tenant already stored creates no destination: it answers
   * `duplicate: true` without one (the first answer carried it).
   */
  async publishToDestination(event: PublishEventDto, destination: DestinationDto, principal: Principal): Promise<AcceptedEventWithDestination> {
    const [owned] = this.ownedBy([event], principal);
    // Checked before the destination exists, so a refused event leaves no endpoint behind.
    refuseReservedEventTypes([owned], 'single');
    const lookup = await this.lookups.lookup(lookupOf([owned]));
    await this.schemas.check([owned], 'single', lookup.catalog);
    let created: AcceptedDestination | undefined;
    const [accepted] = await this.accept([owned], lookup, async () => {
      created = await this.destinations.create(destination, owned.tenant_id!, principal);
      return [created.endpoint_id];
    });
    return created && !accepted.duplicate ? { ...accepted, destination: created } : accepted;
  }

  /**
   * Publishes the verified events of one incoming webhook (a source) for the source's tenant, each
   * naming the source and the provider's delivery id, so the ledger records where it came from. The
   * catalog checks them as it checks any publish: a tenant may give `github.push` a schema.
   */
  async publishFromSource(events: readonly SourcedEvent[], tenantId: string, source: { readonly id: string; readonly type: string }): Promise<AcceptedEvent[]> {
    const owned = events.map((event) => ({ id: event.id, type: event.type, data: event.data, tenant_id: tenantId }));
    // A Standard Webhooks or hmac-hex sender names its own types: it may not pose as Hookledger either.
    refuseReservedEventTypes(owned, 'batch');
    const lookup = await this.lookups.lookup(lookupOf(owned));
    await this.schemas.check(owned, 'batch', lookup.catalog);
    return this.accept(owned, lookup, undefined, events.map((event) => ({ id: source.id, type: source.type, delivery_id: event.delivery_id })));
  }

  /** Each event names its tenant: the key's own, the one given (a key across tenants), else the default tenant. */
  private ownedBy(events: readonly PublishEventDto[], principal: Principal): PublishEventDto[] {
    return events.map((event) => ({ ...event, tenant_id: this.scope.tenantForNew(principal, event.tenant_id) }));
  }

  /**
   * Answers the tenant's repeats of events already stored as duplicates, without counting them or
   * publishing again; counts the rest against their tenants' monthly quotas and publishes them
   * (to `targets()`, when given, instead of the subscribed endpoints). The count is given back for
   * whatever the bus does not take, and for what its ack calls a duplicate (a repeat still inside
   * JetStream's dedup window, not yet stored): a retry never spends quota twice. `lookup` is what
   * Postgres said of the events' duplicates and tenants, read once with the catalog.
   */
  private async accept(
    events: readonly PublishEventDto[], lookup: PublishLookup, targets?: () => Promise<readonly string[]>, sources?: readonly MessageSource[],
  ): Promise<AcceptedEvent[]> {
    const timestamp = new Date().toISOString();
    const commands = events.map((event, n) => this.commandFor(event, timestamp, sources?.[n]));
    const { stored } = lookup;
    const fresh = commands.filter((command) => !stored.has(ingestMessageId(command.tenant_id, command.id)));

    let duplicateOnBus = new Set<TenantCommand>();
    if (fresh.length > 0) {
      const release = await this.tenants.admitEvents(countByTenant(fresh), lookup.quotas);
      try {
        const endpointIds = targets ? await targets() : undefined;
        const acks = await this.publishCommands(endpointIds ? fresh.map((command) => ({ ...command, endpoint_ids: endpointIds })) : fresh);
        duplicateOnBus = new Set(fresh.filter((_, n) => acks[n].duplicate));
      } catch (error) {
        await release();
        throw error;
      }
      if (duplicateOnBus.size > 0) await release(countByTenant([...duplicateOnBus]));
    }
    return commands.map((command) => {
      const original = stored.get(ingestMessageId(command.tenant_id, command.id));
      if (original) return { id: command.id, type: original.type, timestamp: original.timestamp.toISOString(), duplicate: true };
      return { id: command.id, type: command.type, timestamp, duplicate: duplicateOnBus.has(command) };
    });
  }

  private commandFor(event: PublishEventDto, timestamp: string, source: MessageSource | undefined): TenantCommand {
    return {
      ...(source && { source }),
      v: 1,
      id: event.id ?? newId('msg'),
      type: event.type,
      timestamp,
      data: event.data,
      tenant_id: event.tenant_id ?? DEFAULT_TENANT,
      channels: event.channels ?? null,
    };
  }

  private async publishCommands(commands: readonly TenantCommand[]): Promise<{ duplicate: boolean }[]> {
    try {
      return await this.publisher.publishMany(commands.map((command) => ({ subject: this.topology.subjects.ingest, payload: command, msgID: ingestMessageId(command.tenant_id, command.id) })));
    } catch (error) {
      this.logger.error({ msg: 'publish to JetStream failed', err: error, events: commands.length });
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The event bus did not acknowledge the events; nothing was accepted for certain. Retry with the same ids: duplicates are dropped.', { retry_after: 1 });
    }
  }
}

/** A verified event of an incoming webhook: its id made from the provider's delivery id. */
export interface SourcedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly delivery_id: string;
}

/** An ingest command with its tenant always named. */
type TenantCommand = IngestCommand & { tenant_id: string };

/** What PublishLookups reads for these events: their types, tenants (as commandFor names them) and ids. */
function lookupOf(events: readonly PublishEventDto[]): { type: string; tenant_id: string; id?: string }[] {
  return events.map((event) => ({ type: event.type, tenant_id: event.tenant_id ?? DEFAULT_TENANT, id: event.id ?? undefined }));
}

function countByTenant(commands: readonly { tenant_id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const command of commands) counts.set(command.tenant_id, (counts.get(command.tenant_id) ?? 0) + 1);
  return counts;
}

import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { dispatchBatches, topology, Topology } from '@hookledger/contracts';
import {
  DEFAULT_TENANT, FannedOutDelivery, fannedOutMessageReceived, MESSAGE_STREAM_TYPE, messagePayloadContext, messageStreamId, newId,
} from '@hookledger/domain';
import { ConcurrencyError, EventStore, StreamAppend } from '@hookledger/event-store';
import { InboundMessage, JetStreamPublisher } from '@hookledger/messaging';
import { SealedPayload, TenantDataKeys } from '@hookledger/secrets';
import { DeliveryToDispatch, IngestRepository, messageKey, TenantCommand } from './ingest.repository';
import { parseIngestCommand } from './ingest-command';
import { SubscriptionCache } from './subscription-cache';

const ACTOR = { actor: 'system:ingest' };

/**
 * Turns accepted events into deliveries. One Postgres transaction per batch appends one
 * MessageReceived per event, naming the deliveries its fan-out created (schema_version 5; the
 * inline projectors write `messages` and `deliveries`); only after it commits are the dispatch commands (batches of deliveries) published, and
 * only after JetStream acknowledged them are the ingest messages acked. A crash anywhere replays the batch, and the
 * replay is idempotent (messages are keyed by (tenant, id), deliveries by (message, endpoint)).
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private readonly topology: Topology;

  constructor(
    private readonly db: DataSource,
    private readonly events: EventStore,
    private readonly repository: IngestRepository,
    private readonly subscriptions: SubscriptionCache,
    private readonly publisher: JetStreamPublisher,
    private readonly dataKeys: TenantDataKeys,
    config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  async handleBatch(messages: readonly InboundMessage[]): Promise<void> {
    const now = new Date();
    const accepted = new Map<string, { command: TenantCommand; messages: InboundMessage[] }>();
    for (const message of messages) {
      const parsed = message.data instanceof Error
        ? { rejected: `the message is not JSON: ${message.data.message}` }
        : parseIngestCommand(message.data, this.subjectType(message.subject), now);
      if ('rejected' in parsed) {
        this.logger.error({ msg: 'ingest command rejected', subject: message.subject, reason: parsed.rejected });
        message.term(parsed.rejected);
        continue;
      }
      // The same id of the same tenant twice in one batch is one event (a client retry): first one wins.
      const command = { ...parsed.command, tenant_id: parsed.command.tenant_id ?? DEFAULT_TENANT };
      const key = messageKey(command.tenant_id, command.id);
      const entry = accepted.get(key);
      if (entry) entry.messages.push(message);
      else accepted.set(key, { command, messages: [message] });
    }
    if (accepted.size === 0) return;

    const commands = [...accepted.values()].map((entry) => entry.command);
    const toDispatch = await this.persist(commands, now);
    // One v2 command per MAX_DISPATCH_BATCH deliveries, not one message per delivery. In id order,
    // which is creation order (an endpoint's deliveries keep theirs), so a replayed batch whose
    // deliveries are all unattempted still publishes the same commands, which JetStream drops.
    const ordered = toDispatch.map((delivery) => ({ ...delivery, attempt: 1 })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await this.publisher.publishMany(dispatchBatches(ordered, this.topology.subjects.dispatch));
    for (const entry of accepted.values()) for (const message of entry.messages) message.ack();
  }

  /**
   * Stores the batch and returns the deliveries to dispatch. Optimistic: almost every batch is
   * new messages only, so it appends them all without asking first (no extra round trip). When one
   * was stored before, the append (or the messages projection) refuses the whole batch; the second
   * transaction asks which were, and stores the rest.
   */
  private async persist(commands: readonly TenantCommand[], now: Date): Promise<DeliveryToDispatch[]> {
    let sealed = await this.seal(commands, now);
    try {
      return await this.db.transaction((tx) => this.store(tx, commands, sealed, new Set()));
    } catch (error) {
      if (error instanceof DestroyedKeyError) sealed = await this.seal(commands, now);
      else if (!alreadyStored(error)) throw error;
    }
    // Another ingest instance may be storing the same new message right now: its commit makes ours stale once more.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => this.store(tx, commands, sealed, await this.repository.storedMessages(tx, commands)));
      } catch (error) {
        if (attempt >= 3) throw error;
        if (error instanceof DestroyedKeyError) sealed = await this.seal(commands, now);
        else if (!alreadyStored(error)) throw error;
      }
    }
  }

  /**
   * Each payload's exact text (what `messages.data` has always held), sealed with its tenant's
   * data key of the day: one call per batch, and no round trip at all once the day's keys are cached.
   */
  private seal(commands: readonly TenantCommand[], now: Date): Promise<SealedPayload[]> {
    return this.dataKeys.seal(
      commands.map((command) => ({ tenantId: command.tenant_id, plaintext: JSON.stringify(command.data), context: messagePayloadContext(command.tenant_id, command.id) })),
      now,
    );
  }

  /**
   * Appends a MessageReceived naming a new delivery per matching endpoint for every message not
   * `stored` before; the inline projectors write `messages` and `deliveries` in the same transaction.
   * The deliveries' own streams stay empty (version 0) until their first attempt.
   */
  private async store(tx: EntityManager, commands: readonly TenantCommand[], sealed: readonly SealedPayload[], stored: ReadonlySet<string>): Promise<DeliveryToDispatch[]> {
    const index = await this.subscriptions.current(tx);
    const targetable = await this.repository.deliverableEndpoints(tx, commands.flatMap((command) => command.endpoint_ids ?? []));
    const isFresh = (command: TenantCommand) => !stored.has(messageKey(command.tenant_id, command.id));
    const replayed = commands.filter((command) => !isFresh(command));

    const appends: StreamAppend[] = [];
    const deliveries: string[] = [];
    for (const [n, command] of commands.entries()) {
      if (!isFresh(command)) continue;
      // Targeted endpoint ids come from the bus as well as from the API: only the command's own
      // tenant's endpoints take them, or any publisher could deliver to another tenant's receiver.
      const endpointIds = command.endpoint_ids ? command.endpoint_ids.filter((id) => targetable.get(id) === command.tenant_id) : index.match(command);
      const fannedOut: FannedOutDelivery[] = [...new Set(endpointIds)].map((endpoint_id) => ({ delivery_id: newId('dlv'), endpoint_id }));
      for (const delivery of fannedOut) deliveries.push(delivery.delivery_id);
      const event = fannedOutMessageReceived({ ...command, sealed_payload: sealed[n], deliveries: fannedOut });
      appends.push({ streamId: messageStreamId(command.tenant_id, command.id), streamType: MESSAGE_STREAM_TYPE, expectedVersion: 0, events: [{ ...event, metadata: ACTOR }] });
    }
    // An erasure (or retention) may have destroyed a key this process still had cached: what is
    // appended here must open, so the keys are held live until the commit, or the batch sealed again.
    if (!(await this.dataKeys.holdLive(tx, sealed.filter((_, n) => isFresh(commands[n]))))) throw new DestroyedKeyError();
    await this.events.append(tx, appends);
    const redispatch = await this.repository.unattemptedDeliveries(tx, replayed);
    if (deliveries.length > 0 || replayed.length > 0) {
      this.logger.debug({ msg: 'batch stored', messages: commands.length - replayed.length, replayed: replayed.length, deliveries: deliveries.length });
    }
    return [...deliveries.map((id) => ({ id, version: 0 })), ...redispatch];
  }

  private subjectType(subject: string): string | null {
    const prefix = `${this.topology.namespace}.in.`;
    return subject.startsWith(prefix) ? subject.slice(prefix.length) : null;
  }
}

/** A key the batch was sealed with was destroyed since it was cached: seal again with the tenant's new key. */
class DestroyedKeyError extends Error {
  constructor() {
    super('a data key the batch was sealed with was destroyed');
  }
}

/**
 * A message of the batch is in the store already: its stream exists (the append's expected
 * version 0 is stale), or — for an event id accepted before streams named their tenant — its
 * `messages` row does.
 */
function alreadyStored(error: unknown): boolean {
  if (error instanceof ConcurrencyError) return error.streamId.startsWith('message-');
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : null;
  return driverError?.code === '23505' && driverError.constraint === 'messages_pkey';
}

import { Injectable, Logger } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource, EntityManager } from 'typeorm';
import { attemptBodyContext, DeliveryEvent, DeliveryEventType, DeliveryState, deliveryStreamId } from '@hookledger/domain';
import { ConcurrencyError, EventStore, Outbox } from '@hookledger/event-store';
import { TenantDataKeys } from '@hookledger/secrets';
import { CircuitRecorder } from './circuit-recorder';
import type { DispatchContext } from './delivery-loader';
import { attemptResult, outcomeEvents } from './outcome-events';

/** The events that record what happened to one delivery, decided by the domain. */
export interface AttemptOutcome {
  readonly context: DispatchContext;
  readonly events: readonly DeliveryEvent[];
  /** The receiver's answer (its first 4 KiB) when an attempt was made: sealed into its DeliveryAttempted here. */
  readonly responseBody?: string | null;
}

export type RecordResult = 'recorded' | 'conflict';

const METADATA = { actor: 'system:dispatcher' };
const DEADLOCK = '40P01';
const SERIALIZATION_FAILURE = '40001';

/**
 * Writes attempt outcomes in small batches, one transaction each: the delivery streams are
 * appended in one round trip with their expected versions (the inline projector writes
 * `deliveries` and `attempts` set-wise), the circuits the attempts open or close are recorded on
 * their endpoints' streams, and the operational events put in the outbox, in the same transaction. A stale version (another dispatcher already recorded this
 * attempt) is reported as a conflict for that delivery alone.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);
  private readonly batcher: DataLoader<AttemptOutcome, RecordResult>;

  constructor(
    private readonly db: DataSource,
    private readonly store: EventStore,
    private readonly circuits: CircuitRecorder,
    private readonly outbox: Outbox,
    private readonly dataKeys: TenantDataKeys,
  ) {
    this.batcher = new DataLoader((outcomes) => this.recordBatch(outcomes), {
      cache: false,
      maxBatchSize: 200,
      batchScheduleFn: (run) => setTimeout(run, 2),
    });
  }

  record(outcome: AttemptOutcome): Promise<RecordResult> {
    return this.batcher.load(outcome);
  }

  private async recordBatch(answered: readonly AttemptOutcome[]): Promise<RecordResult[]> {
    const outcomes = await this.sealResponseBodies(answered);
    try {
      await this.inTransaction((tx) => this.write(tx, outcomes));
      return outcomes.map(() => 'recorded');
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
    // Rare: some delivery moved on under us. Record the rest one by one.
    const results: RecordResult[] = [];
    for (const outcome of outcomes) {
      try {
        await this.inTransaction((tx) => this.write(tx, [outcome]));
        results.push('recorded');
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        this.logger.warn({ msg: 'attempt already recorded by another dispatcher', delivery_id: outcome.context.delivery_id });
        results.push('conflict');
      }
    }
    return results;
  }

  /**
   * Seals the batch's response bodies with their tenants' data keys in one call (a key lookup per
   * tenant, cached), so no answer's text reaches the store, a projection or a backup in the clear.
   * An empty answer stays `''`: there is nothing to seal.
   */
  private async sealResponseBodies(outcomes: readonly AttemptOutcome[]): Promise<readonly AttemptOutcome[]> {
    const toSeal = outcomes.flatMap((outcome, index) => {
      const attempted = outcome.events.find((event) => event.type === DeliveryEventType.DeliveryAttempted);
      if (!outcome.responseBody || attempted?.type !== DeliveryEventType.DeliveryAttempted) return [];
      return [{ index, tenantId: outcome.context.tenant_id, plaintext: outcome.responseBody, context: attemptBodyContext(attempted.data.attempt_id) }];
    });
    const sealed = toSeal.length === 0 ? [] : await this.dataKeys.seal(toSeal);
    const byIndex = new Map(toSeal.map((item, i) => [item.index, sealed[i]]));
    return outcomes.map((outcome, index) => {
      const body = byIndex.get(index) ?? (outcome.responseBody === '' ? '' : null);
      return {
        context: outcome.context,
        events: outcome.events.map((event): DeliveryEvent => {
          if (event.type !== DeliveryEventType.DeliveryAttempted) return event;
          if (event.schema_version === 3) return { ...event, data: { ...event.data, sealed_response_body: body } };
          if (event.schema_version === 2) return { ...event, data: { ...event.data, sealed_response_body: body } };
          return event;
        }),
      };
    });
  }

  /**
   * A transaction, retried when Postgres picks it as a deadlock victim: failing the batch would
   * hand its commands back to JetStream and send those webhooks a second time.
   */
  private async inTransaction(work: (tx: EntityManager) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (error) {
        const code = (error as { code?: string; driverError?: { code?: string } }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
        if ((code !== DEADLOCK && code !== SERIALIZATION_FAILURE) || attempt >= 3) throw error;
        this.logger.warn({ msg: 'attempt batch retried after a deadlock', attempt });
      }
    }
  }

  private async write(tx: EntityManager, outcomes: readonly AttemptOutcome[]): Promise<void> {
    await this.store.append(
      tx,
      outcomes.map(({ context, events }) => ({
        streamId: deliveryStreamId(context.delivery_id),
        streamType: 'delivery',
        expectedVersion: context.version,
        events: events.map((event) => ({ ...event, metadata: { ...METADATA, causation_id: context.message_id } })),
      })),
    );
    await this.circuits.record(tx, outcomes.flatMap(({ context, events }) => {
      const result = attemptResult(events);
      return result ? [{ endpointId: context.endpoint_id, circuitSeen: context.circuit_state, result }] : [];
    }));
    // One outbox row for the batch's operational events (the relay publishes each as before).
    await this.outbox.addMany(tx, outcomes.flatMap(({ context, events }) => outcomeEvents(context, events)));
  }
}

/** The decider's view of a delivery, from the projection row the dispatcher loaded. */
export function stateOf(context: DispatchContext): DeliveryState {
  return {
    status: context.status,
    attempts: context.attempts,
    delivery_id: context.delivery_id,
    message_id: context.message_id,
    endpoint_id: context.endpoint_id,
    event_type: context.event_type,
    tenant_id: context.tenant_id,
    last_attempt_at: null,
    last_status_code: context.last_status_code,
    last_error: context.last_error,
    next_attempt_at: null,
    delivered_at: context.delivered_at?.toISOString() ?? null,
    failure_reason: null,
  };
}

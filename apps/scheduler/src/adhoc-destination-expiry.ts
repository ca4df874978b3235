import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate } from '@hookledger/event-store';
import { PeriodicTask } from './periodic-task';

const ACTOR = 'system:scheduler';
const BATCH = 100;

/**
 * An ad-hoc destination exists for the events published to it. Once every delivery to it has
 * ended (succeeded, or failed for good) and HOOKS_ADHOC_RETENTION has passed since the last one
 * changed, it is deleted like any endpoint (EndpointDeleted, decided by the endpoint aggregate), so it
 * stops counting against the tenant's max_endpoints. Without this a tenant that publishes to
 * fresh URLs keeps adding endpoints forever. One created but never published to (the publish
 * failed) goes the same way once it is older than the retention.
 */
@Injectable()
export class AdhocDestinationExpiry extends PeriodicTask {
  protected readonly intervalMs: number;

  constructor(private readonly db: DataSource, private readonly aggregates: AggregateRepository, private readonly config: HookledgerConfig) {
    super();
    this.intervalMs = Math.max(config.schedulerIntervalMs, 1000);
  }

  protected async tick(): Promise<boolean> {
    const expired: { id: string }[] = await this.db.query(
      `SELECT e.id FROM endpoints e
        WHERE e.adhoc AND e.deleted_at IS NULL AND e.created_at <= now() - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id
                           AND (d.status IN ('pending', 'retrying') OR d.updated_at > now() - make_interval(secs => $1)))
        ORDER BY e.created_at LIMIT ${BATCH}`,
      [this.retentionS()],
    );
    for (const { id } of expired) await this.delete(id);
    return expired.length === BATCH;
  }

  private async delete(id: string): Promise<void> {
    await this.aggregates.transaction(async (tx) => {
      const [current]: { tenant_id: string }[] = await tx.query(`SELECT tenant_id FROM endpoints WHERE id = $1 AND deleted_at IS NULL`, [id]);
      if (!current) return; // another scheduler got there first
      if (await this.inUse(tx, id)) return;
      await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id),
        { type: 'DeleteEndpoint', endpoint_id: id, reason: 'ad-hoc destination expired' }, { actor: ACTOR, tenant_id: current.tenant_id });
      this.logger.log({ msg: 'ad-hoc destination expired', endpoint_id: id });
    }).catch((error: unknown) => {
      // Deleted by another scheduler after our read: its append won, ours is refused as not found.
      if ((error as { kind?: string }).kind !== 'not_found') throw error;
    });
  }

  /** Asked again under the endpoint's lock: a manual retry or a replay may have reopened a delivery since the tick's query. */
  private async inUse(tx: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM deliveries WHERE endpoint_id = $1
          AND (status IN ('pending', 'retrying') OR updated_at > now() - make_interval(secs => $2)) LIMIT 1`,
      [id, this.retentionS()],
    );
    return rows.length > 0;
  }

  private retentionS(): number {
    return this.config.adhocRetentionMs / 1000;
  }
}

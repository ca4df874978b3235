import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { operationalEvent, TenantKeysDestroyedData } from '@hookledger/contracts';
import { tenantStreamId } from '@hookledger/domain';
import { AggregateRepository, Outbox, tenantAggregate } from '@hookledger/event-store';
import { TenantDataKeys } from '@hookledger/secrets';
import { PeriodicTask } from './periodic-task';

const ACTOR = 'system:scheduler';

/** What one run destroyed, per tenant. */
export interface RetentionRun {
  readonly tenant_id: string;
  readonly before: Date;
  readonly keys_destroyed: number;
}

/**
 * Retention by crypto-shredding: for every tenant with a `payload_retention_days`, destroys the
 * data keys of its retention days that ended at least that many days ago (`config.retention.dayMs`
 * a day), so their payloads and response bodies no longer open, and records TenantPayloadsPurged
 * with the key ids in the same transaction. The sealed bytes stay in the ledger, whose chains and
 * checkpoints still verify. Nothing here reads `messages` or `attempts`: whatever was sealed with
 * those keys, wherever it is, is covered.
 *
 * Idempotent and safe with several schedulers: a key is destroyed once (`destroyed_at IS NULL` in
 * the UPDATE, whose row locks make a second scheduler wait and then find nothing), and a run that
 * destroyed nothing appends nothing.
 */
@Injectable()
export class PayloadRetention extends PeriodicTask {
  protected readonly intervalMs: number;

  constructor(
    private readonly db: DataSource,
    private readonly aggregates: AggregateRepository,
    private readonly dataKeys: TenantDataKeys,
    private readonly outbox: Outbox,
    private readonly config: HookledgerConfig,
  ) {
    super();
    this.intervalMs = config.retention.intervalMs;
  }

  protected async tick(): Promise<boolean> {
    await this.purge(new Date());
    return false;
  }

  /**
   * One run as of `now`. A key's day [start, start + day) ended at least N days ago when it starts
   * before the start of the day `now - N days` falls in.
   */
  async purge(now: Date): Promise<RetentionRun[]> {
    // Deleted tenants too: their history, and its payloads, outlive them.
    const tenants: { id: string; payload_retention_days: number }[] = await this.db.query(
      `SELECT id, payload_retention_days FROM tenants WHERE payload_retention_days IS NOT NULL ORDER BY id`);
    if (tenants.length === 0) return [];
    const cutoffs = tenants.map((tenant) => this.cutoff(now, tenant.payload_retention_days));
    // Only those with a live key old enough get a transaction.
    const due: { id: string }[] = await this.db.query(
      `SELECT t.id FROM unnest($1::text[], $2::timestamptz[]) AS t(id, before)
        WHERE EXISTS (SELECT 1 FROM tenant_data_keys k WHERE k.tenant_id = t.id AND k.destroyed_at IS NULL AND k.period_start < t.before)
        ORDER BY t.id`,
      [tenants.map((tenant) => tenant.id), cutoffs],
    );
    const runs: RetentionRun[] = [];
    for (const { id } of due) {
      const run = await this.purgeTenant(id, now);
      if (run.keys_destroyed > 0) runs.push(run);
    }
    return runs;
  }

  private async purgeTenant(tenantId: string, now: Date): Promise<RetentionRun> {
    const run = await this.aggregates.transaction(async (tx) => {
      // Read again under the transaction: a PATCH may have lifted or changed the retention since.
      const [tenant]: { payload_retention_days: number | null }[] = await tx.query(`SELECT payload_retention_days FROM tenants WHERE id = $1 FOR SHARE`, [tenantId]);
      if (!tenant || tenant.payload_retention_days === null) return { tenant_id: tenantId, before: now, keys_destroyed: 0 };
      const before = this.cutoff(now, tenant.payload_retention_days);
      const destroyed = await this.dataKeys.destroy(tx, tenantId, 'retention', before);
      if (destroyed.count === 0) return { tenant_id: tenantId, before, keys_destroyed: 0 };
      await this.aggregates.handleIn(tx, tenantAggregate, tenantStreamId(tenantId),
        { type: 'PurgeTenantPayloads', tenant_id: tenantId, before, destroyed }, { actor: ACTOR, tenant_id: tenantId });
      const announced: TenantKeysDestroyedData = { tenant_id: tenantId, reason: 'retention', keys_destroyed: destroyed.count };
      await this.outbox.add(tx, [operationalEvent('tenant.payloads_purged', announced)]);
      return { tenant_id: tenantId, before, keys_destroyed: destroyed.count };
    });
    if (run.keys_destroyed > 0) {
      this.dataKeys.forget(tenantId);
      this.logger.log({ msg: 'payloads purged', tenant_id: tenantId, before: run.before.toISOString(), keys_destroyed: run.keys_destroyed });
    }
    return run;
  }

  /** Keys of days starting before this are past a retention of `days` at `now`. */
  private cutoff(now: Date, days: number): Date {
    return this.dataKeys.periodStart(new Date(now.getTime() - days * this.config.retention.dayMs));
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { dispatchBatches, topology, Topology } from '@hookledger/contracts';
import { JetStreamPublisher } from '@hookledger/messaging';
import { claimDispatches, pruneDispatchClaims, UNCLAIMED } from './dispatch-claims';
import { PeriodicTask } from './periodic-task';

const BATCH = 500;

/**
 * Publishes dispatch commands for deliveries that fall due: retries, and deliveries held while
 * their endpoint was paused or its circuit open (those wait until it is resumed or closed).
 * Rows are locked with FOR UPDATE SKIP LOCKED and claimed at their stream version (see
 * dispatch-claims.ts) in the same transaction, after JetStream acknowledged the command: several
 * schedulers share the work and none sends a retry another already sent. A crash between publish and commit re-publishes the same
 * deliveries at the same versions, so the same msgID, which JetStream drops.
 */
@Injectable()
export class RetryPoller extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly topology: Topology;

  constructor(private readonly db: DataSource, private readonly publisher: JetStreamPublisher, config: HookledgerConfig) {
    super();
    this.intervalMs = config.schedulerIntervalMs;
    this.topology = topology(config.natsNamespace);
  }

  protected async tick(): Promise<boolean> {
    return (await this.publishDue()) === BATCH;
  }

  /** Claims and publishes one batch of due deliveries; returns how many it published. */
  async publishDue(): Promise<number> {
    return this.db.transaction(async (tx) => {
      await pruneDispatchClaims(tx);
      const due: { id: string; attempts: number; version: number }[] = await tx.query(
        `SELECT d.id, d.attempts, d.version
           FROM deliveries d
           JOIN endpoints e ON e.id = d.endpoint_id
          WHERE d.due_at <= now() AND NOT e.paused AND e.circuit_state = 'closed' AND ${UNCLAIMED}
          ORDER BY d.due_at, d.id
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED`,
        [BATCH],
      );
      if (due.length === 0) return 0;
      const claimed = await claimDispatches(tx, due);
      // v2 commands of MAX_DISPATCH_BATCH deliveries, not one per delivery, in due order.
      await this.publisher.publishMany(dispatchBatches(claimed.map((row) => ({ id: row.id, version: row.version, attempt: row.attempts + 1 })), this.topology.subjects.dispatch));
      this.logger.debug({ msg: 'due deliveries published', count: claimed.length });
      return claimed.length;
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, operationalEvent, topology, Topology } from '@hookledger/contracts';
import { Outbox } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { claimDispatches, UNCLAIMED } from './dispatch-claims';
import { PeriodicTask } from './periodic-task';

/** A half-open circuit whose probe has had this long without an outcome is opened again (the probe was lost). */
const STALE_HALF_OPEN = '2 minutes';

/**
 * When an open circuit's cool-down ends, lets exactly one held delivery through as a probe
 * (half-open). The dispatcher records the probe's outcome: success closes the circuit and the
 * retry poller releases the held deliveries; failure opens it again for longer. An endpoint with
 * nothing held closes at once, since there is nothing to protect.
 */
@Injectable()
export class CircuitProber extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly topology: Topology;

  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    private readonly outbox: Outbox,
    config: HookledgerConfig,
  ) {
    super();
    this.intervalMs = config.schedulerIntervalMs;
    this.topology = topology(config.natsNamespace);
  }

  protected async tick(): Promise<boolean> {
    await this.db.query(
      `UPDATE endpoint_health SET circuit_state = 'open', circuit_retry_at = now(), updated_at = now()
        WHERE circuit_state = 'half_open' AND updated_at < now() - interval '${STALE_HALF_OPEN}'`,
    );
    return this.db.transaction(async (tx) => {
      const due: { endpoint_id: string }[] = await tx.query(
        `SELECT endpoint_id FROM endpoint_health WHERE circuit_state = 'open' AND circuit_retry_at <= now()
          ORDER BY circuit_retry_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
      );
      for (const { endpoint_id } of due) await this.probe(tx, endpoint_id);
      return due.length === 100;
    });
  }

  private async probe(tx: EntityManager, endpointId: string): Promise<void> {
    const [held]: { id: string; attempts: number; version: number }[] = await tx.query(
      `SELECT id, attempts, version FROM deliveries d
        WHERE endpoint_id = $1 AND due_at <= now() AND status IN ('pending', 'retrying') AND ${UNCLAIMED}
        ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [endpointId],
    );
    if (!held) {
      await tx.query(
        `UPDATE endpoint_health SET circuit_state = 'closed', circuit_opened_at = NULL, circuit_retry_at = NULL, circuit_cooldown_s = 0, updated_at = now()
          WHERE endpoint_id = $1`,
        [endpointId],
      );
      await this.outbox.add(tx, [operationalEvent('endpoint.circuit_closed', { endpoint_id: endpointId })]);
      return;
    }
    // Another scheduler published it between our read and our lock: the probe is on its way.
    if ((await claimDispatches(tx, [held])).length === 0) return;
    const command: DispatchCommand = { v: 1, delivery_id: held.id, attempt: held.attempts + 1, trigger: 'scheduled', probe: true };
    await this.publisher.publish(this.topology.subjects.dispatch, command, dispatchMessageId(held.id, held.version, 'probe'));
    await tx.query(`UPDATE endpoint_health SET circuit_state = 'half_open', updated_at = now() WHERE endpoint_id = $1`, [endpointId]);
    this.logger.log({ msg: 'circuit half-open: probe sent', endpoint_id: endpointId, delivery_id: held.id });
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, topology, Topology } from '@hookledger/contracts';
import { EndpointEventType } from '@hookledger/domain';
import { CircuitCommand, EndpointCircuits } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { claimDispatches, UNCLAIMED } from './dispatch-claims';
import { PeriodicTask } from './periodic-task';

/** A half-open circuit whose probe has had this long without an outcome is opened again (the probe was lost). */
const STALE_HALF_OPEN_SECONDS = 120;
const BATCH = 100;
const METADATA = { actor: 'system:scheduler' };

interface HeldDelivery {
  id: string;
  attempts: number;
  version: number;
}

/**
 * When an open circuit's cool-down ends, lets exactly one held delivery through as a probe
 * (EndpointCircuitHalfOpened, naming it). The dispatcher records the probe's outcome: success
 * closes the circuit and the retry poller releases the held deliveries; failure opens it again for
 * longer. An endpoint with nothing held closes at once (nothing to protect), and a probe with no
 * outcome after two minutes (lost with a dispatcher) opens the circuit again, due at once.
 *
 * Each endpoint is handled in its own transaction under its stream's lock (EndpointCircuits), so
 * two schedulers never both probe one endpoint: the second finds the circuit half-open, and the
 * endpoint's rules record nothing. The probe is published inside that transaction, after its
 * event was appended: if the commit then fails, the probe goes out anyway, and the dispatcher lets
 * a probe through an open circuit too.
 */
@Injectable()
export class CircuitProber extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly topology: Topology;

  constructor(
    private readonly db: DataSource,
    private readonly circuits: EndpointCircuits,
    private readonly publisher: JetStreamPublisher,
    config: HookledgerConfig,
  ) {
    super();
    this.intervalMs = config.schedulerIntervalMs;
    this.topology = topology(config.natsNamespace);
  }

  protected async tick(): Promise<boolean> {
    const lost: { id: string; circuit_changed_at: Date }[] = await this.db.query(
      `SELECT id, circuit_changed_at FROM endpoints
        WHERE circuit_state = 'half_open' AND circuit_changed_at < now() - make_interval(secs => $1) AND deleted_at IS NULL
        ORDER BY circuit_changed_at LIMIT $2`,
      [STALE_HALF_OPEN_SECONDS, BATCH],
    );
    for (const { id, circuit_changed_at } of lost) await this.db.transaction((tx) => this.reopenLost(tx, id, circuit_changed_at));
    const due: { id: string; circuit_retry_at: Date }[] = await this.db.query(
      `SELECT id, circuit_retry_at FROM endpoints WHERE circuit_state = 'open' AND circuit_retry_at <= now() AND deleted_at IS NULL
        ORDER BY circuit_retry_at LIMIT $1`,
      [BATCH],
    );
    for (const { id, circuit_retry_at } of due) await this.db.transaction((tx) => this.probe(tx, id, circuit_retry_at));
    return lost.length === BATCH || due.length === BATCH;
  }

  /** Only the half-open circuit the tick found (the same transition): a newer one has its own two minutes. */
  private async reopenLost(tx: EntityManager, endpointId: string, halfOpenedAt: Date): Promise<void> {
    await this.circuits.transition(tx, [endpointId], (circuits) => {
      const circuit = circuits.get(endpointId);
      if (circuit?.state !== 'half_open' || circuit.changed_at?.getTime() !== halfOpenedAt.getTime()) return [];
      const now = new Date();
      const command: CircuitCommand = {
        type: 'OpenEndpointCircuit', endpoint_id: endpointId, reason: 'probe_lost', retry_at: now, cooldown_s: circuit.cooldown_s,
        consecutive_failures: 0, window: null, now,
      };
      return [command];
    }, METADATA);
  }

  /** Only the open circuit the tick found due: reopened since, it has a new cool-down to wait out. */
  private async probe(tx: EntityManager, endpointId: string, dueAt: Date): Promise<void> {
    let probe: HeldDelivery | null = null;
    const events = await this.circuits.transition(tx, [endpointId], async (circuits) => {
      const circuit = circuits.get(endpointId);
      if (circuit?.state !== 'open' || circuit.retry_at?.getTime() !== dueAt.getTime()) return [];
      const [held]: HeldDelivery[] = await tx.query(
        `SELECT id, attempts, version FROM deliveries d
          WHERE endpoint_id = $1 AND due_at <= now() AND status IN ('pending', 'retrying') AND ${UNCLAIMED}
          ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [endpointId],
      );
      if (!held) return [{ type: 'CloseEndpointCircuit', endpoint_id: endpointId, reason: 'nothing_held' }];
      // Another scheduler published it between our read and our lock: the probe is on its way.
      if ((await claimDispatches(tx, [held])).length === 0) return [];
      probe = held;
      return [{ type: 'HalfOpenEndpointCircuit', endpoint_id: endpointId, probe_delivery_id: held.id }];
    }, METADATA);
    const held = probe as HeldDelivery | null;
    if (!held || !events.some((event) => event.type === EndpointEventType.EndpointCircuitHalfOpened)) return;
    const command: DispatchCommand = { v: 1, delivery_id: held.id, attempt: held.attempts + 1, trigger: 'scheduled', probe: true };
    await this.publisher.publish(this.topology.subjects.dispatch, command, dispatchMessageId(held.id, held.version, 'probe'));
    this.logger.log({ msg: 'circuit half-open: probe sent', endpoint_id: endpointId, delivery_id: held.id });
  }
}

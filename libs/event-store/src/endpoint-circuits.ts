import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OperationalEvent, operationalEvent, OperationalEventName } from '@hookledger/contracts';
import {
  CircuitState, CloseEndpointCircuit, decideCircuit, EndpointCircuitEvent, EndpointEventType, ENDPOINT_STREAM_TYPE, endpointStreamId,
  HalfOpenEndpointCircuit, OpenEndpointCircuit,
} from '@hookledger/domain';
import type { EventMetadata } from './event';
import { EventStore } from './event-store';
import { Outbox } from './projections/outbox';

export type CircuitCommand = OpenEndpointCircuit | HalfOpenEndpointCircuit | CloseEndpointCircuit;

/** An endpoint's circuit as its `endpoints` row holds it: current, since its stream is locked while it is read. */
export interface CircuitSnapshot {
  readonly endpoint_id: string;
  readonly tenant_id: string;
  readonly state: CircuitState;
  readonly opened_at: Date | null;
  readonly retry_at: Date | null;
  readonly cooldown_s: number;
  readonly probe_delivery_id: string | null;
  readonly changed_at: Date | null;
  /** The last enable: failures before it do not count towards opening the circuit. */
  readonly enabled_at: Date | null;
}

// Locks the streams' rows in id order (FOR UPDATE) as their owner: the apps' role may not lock rows it may not update.
const LOCK_SQL = `SELECT stream_id, version FROM hl_lock_streams($1::text[])`;
const READ_SQL = `
  SELECT id AS endpoint_id, tenant_id, circuit_state AS state, circuit_opened_at AS opened_at, circuit_retry_at AS retry_at,
         circuit_cooldown_s AS cooldown_s, circuit_probe_delivery_id AS probe_delivery_id, circuit_changed_at AS changed_at, enabled_at
    FROM endpoints WHERE id = ANY($1::text[]) AND deleted_at IS NULL`;

const iso = (time: Date | null) => (time === null ? null : time.toISOString());

/**
 * The circuit breaker's transitions, as events on the endpoints' streams: the dispatcher's (a run
 * of failures opens, a success closes, a failed probe reopens) and the circuit prober's (half-open
 * to probe, closed with nothing held, reopened when the probe was lost).
 *
 * `transition` locks the endpoints' stream rows in id order (so a dispatcher batch, the prober and
 * the API never deadlock on them, and no append can slip in between), reads the circuits from the
 * `endpoints` projection — inline, so current under that lock, and bounded where the stream is not
 * (a flapping endpoint's stream grows with every transition) — asks the caller what to do with
 * them, lets the endpoint's rules (`decideCircuit`) turn that into events, and appends them at the
 * locked versions, with the operational events in the outbox, in the caller's transaction. A
 * deleted endpoint's circuit is left alone.
 */
@Injectable()
export class EndpointCircuits {
  constructor(private readonly store: EventStore, private readonly outbox: Outbox) {}

  async transition(
    tx: EntityManager,
    endpointIds: readonly string[],
    decide: (circuits: ReadonlyMap<string, CircuitSnapshot>) => Promise<readonly CircuitCommand[]> | readonly CircuitCommand[],
    metadata: EventMetadata,
  ): Promise<EndpointCircuitEvent[]> {
    if (endpointIds.length === 0) return [];
    const ids = [...new Set(endpointIds)].sort();
    const streams: { stream_id: string; version: number }[] = await tx.query(LOCK_SQL, [ids.map(endpointStreamId)]);
    const versionOf = new Map(streams.map((stream) => [stream.stream_id, stream.version]));
    const rows: CircuitSnapshot[] = await tx.query(READ_SQL, [ids]);
    const circuits = new Map(rows.map((row) => [row.endpoint_id, row]));
    const decided: { circuit: CircuitSnapshot; events: EndpointCircuitEvent[] }[] = [];
    for (const command of await decide(circuits)) {
      const circuit = circuits.get(command.endpoint_id);
      if (!circuit || !versionOf.has(endpointStreamId(circuit.endpoint_id))) continue;
      const events = decideCircuit(command, {
        id: circuit.endpoint_id,
        circuit: { state: circuit.state, opened_at: iso(circuit.opened_at), retry_at: iso(circuit.retry_at), cooldown_s: circuit.cooldown_s, probe_delivery_id: circuit.probe_delivery_id },
      });
      if (events.length > 0) decided.push({ circuit, events });
    }
    if (decided.length === 0) return [];
    await this.store.append(tx, decided.map(({ circuit, events }) => {
      const streamId = endpointStreamId(circuit.endpoint_id);
      return {
        streamId,
        streamType: ENDPOINT_STREAM_TYPE,
        expectedVersion: versionOf.get(streamId) as number,
        events: events.map((event) => ({ type: event.type, schema_version: event.schema_version, data: event.data, metadata: { ...metadata, tenant_id: circuit.tenant_id } })),
      };
    }));
    const events = decided.flatMap((entry) => entry.events);
    await this.outbox.add(tx, decided.flatMap(({ circuit, events }) => events.flatMap((event) => announcement(event, circuit.tenant_id))));
    return events;
  }
}

/** What the circuit's subscribers are told (docs/operational-events.md). */
function announcement(event: EndpointCircuitEvent, tenantId: string): OperationalEvent<OperationalEventName, object>[] {
  switch (event.type) {
    case EndpointEventType.EndpointCircuitOpened:
      return [operationalEvent('endpoint.circuit_opened', {
        tenant_id: tenantId, endpoint_id: event.data.id, reason: event.data.reason, consecutive_failures: event.data.consecutive_failures, window: event.data.window,
        retry_at: event.data.retry_at,
      })];
    case EndpointEventType.EndpointCircuitClosed:
      return [operationalEvent('endpoint.circuit_closed', { tenant_id: tenantId, endpoint_id: event.data.id, reason: event.data.reason })];
    default:
      return [];
  }
}

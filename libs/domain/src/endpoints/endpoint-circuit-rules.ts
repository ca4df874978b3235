import type { CloseEndpointCircuit, HalfOpenEndpointCircuit, OpenEndpointCircuit } from './endpoint-commands';
import { endpointCircuitClosed, endpointCircuitHalfOpened, endpointCircuitOpened, EndpointCircuitEvent } from './endpoint-circuit-events';
import type { EndpointState } from './endpoint-state';

/**
 * The circuit's transitions. Several dispatchers and the prober race on one endpoint, so a
 * transition that already happened, or that another one overtook, records nothing — an empty
 * answer tells the prober not to send its probe, and the dispatcher that its news is old:
 *
 * - opened on `failures` only from closed; on `probe_failed` or `probe_lost` only from half-open;
 * - half-opened only from open (a second prober, or a success that closed it, sends no probe);
 * - closed from open or half-open.
 */
export function decideCircuit(
  command: OpenEndpointCircuit | HalfOpenEndpointCircuit | CloseEndpointCircuit,
  state: Pick<EndpointState, 'id' | 'circuit'>,
): EndpointCircuitEvent[] {
  const { id, circuit } = state;
  switch (command.type) {
    case 'OpenEndpointCircuit': {
      const from = command.reason === 'failures' ? 'closed' : 'half_open';
      if (circuit.state !== from) return [];
      return [endpointCircuitOpened({
        id,
        reason: command.reason,
        opened_at: command.now.toISOString(),
        retry_at: command.retry_at.toISOString(),
        cooldown_s: command.cooldown_s,
        consecutive_failures: command.consecutive_failures,
        window: command.window,
      })];
    }
    case 'HalfOpenEndpointCircuit':
      return circuit.state === 'open' ? [endpointCircuitHalfOpened({ id, probe_delivery_id: command.probe_delivery_id })] : [];
    case 'CloseEndpointCircuit':
      return circuit.state === 'closed' ? [] : [endpointCircuitClosed({ id, reason: command.reason })];
  }
}

/** An operator's enable starts the endpoint's health afresh, its circuit closed among it. */
export function enablingClosesCircuit(state: EndpointState): EndpointCircuitEvent[] {
  return decideCircuit({ type: 'CloseEndpointCircuit', endpoint_id: state.id, reason: 'endpoint_enabled' }, state);
}

import type { EndpointCommand, OpenEndpointCircuit } from './endpoint-commands';
import { decideEndpoint } from './endpoint-decider';
import { EndpointEvent, endpointCreated } from './endpoint-events';
import { endpointCircuitClosed, endpointCircuitHalfOpened, endpointCircuitOpened } from './endpoint-circuit-events';
import { DEFAULT_ENDPOINT_SETTINGS } from './endpoint-settings';
import { endpointStateFrom } from './endpoint-state';

const id = 'ep_1';
const now = new Date('2024-01-01T00:00:00.000Z');
const created = endpointCreated({
  ...DEFAULT_ENDPOINT_SETTINGS, url: 'https://example.com/hooks', id, tenant_id: 'acme', auth: null, adhoc: false, secret_key_id: 'key_1',
});
const window = { seconds: 60, requests: 20, failures: 12 };

const open = (reason: OpenEndpointCircuit['reason'], cooldown = 30): OpenEndpointCircuit => ({
  type: 'OpenEndpointCircuit', endpoint_id: id, reason, retry_at: new Date(now.getTime() + cooldown * 1000), cooldown_s: cooldown,
  consecutive_failures: 5, window: reason === 'failures' ? window : null, now,
});
const opened = endpointCircuitOpened({
  id, reason: 'failures', opened_at: '2024-01-01T00:00:00.000Z', retry_at: '2024-01-01T00:00:30.000Z', cooldown_s: 30, consecutive_failures: 5, window,
});
const halfOpened = endpointCircuitHalfOpened({ id, probe_delivery_id: 'dlv_1' });

/** Given an endpoint's past events, when a circuit transition is asked for, then these events follow. */
function given(...history: EndpointEvent[]) {
  const state = endpointStateFrom(history);
  return {
    when: (command: EndpointCommand) => ({ then: (expected: readonly EndpointEvent[]) => expect(decideEndpoint(command, state)).toEqual(expected) }),
    thenCircuit: (expected: object) => expect(state.circuit).toEqual(expected),
  };
}

describe('the circuit breaker’s transitions on the endpoint’s stream', () => {
  it('a closed circuit opens on sustained failure, with the window that tripped it', () => {
    given(created).when(open('failures')).then([opened]);
  });

  it('an open circuit half-opens to let one probe through', () => {
    given(created, opened)
      .when({ type: 'HalfOpenEndpointCircuit', endpoint_id: id, probe_delivery_id: 'dlv_1' })
      .then([halfOpened]);
  });

  it('a failed probe opens it again for longer', () => {
    given(created, opened, halfOpened)
      .when(open('probe_failed', 60))
      .then([endpointCircuitOpened({
        id, reason: 'probe_failed', opened_at: '2024-01-01T00:00:00.000Z', retry_at: '2024-01-01T00:01:00.000Z', cooldown_s: 60,
        consecutive_failures: 5, window: null,
      })]);
  });

  it('a probe lost on the way opens it again', () => {
    given(created, opened, halfOpened).when(open('probe_lost')).then([expect.objectContaining({ type: 'EndpointCircuitOpened', data: expect.objectContaining({ reason: 'probe_lost' }) })]);
  });

  it('a success closes an open or half-open circuit', () => {
    const close = { type: 'CloseEndpointCircuit', endpoint_id: id, reason: 'delivery_succeeded' } as const;
    given(created, opened, halfOpened).when(close).then([endpointCircuitClosed({ id, reason: 'delivery_succeeded' })]);
    given(created, opened).when(close).then([endpointCircuitClosed({ id, reason: 'delivery_succeeded' })]);
  });

  describe('a transition already made, or overtaken by another, records nothing', () => {
    it('opening an open circuit', () => given(created, opened).when(open('failures')).then([]));
    it('a probe failing after a success closed the circuit', () => given(created, opened, halfOpened, endpointCircuitClosed({ id, reason: 'delivery_succeeded' })).when(open('probe_failed')).then([]));
    it('a second prober half-opening', () => given(created, opened, halfOpened).when({ type: 'HalfOpenEndpointCircuit', endpoint_id: id, probe_delivery_id: 'dlv_2' }).then([]));
    it('half-opening a closed circuit', () => given(created).when({ type: 'HalfOpenEndpointCircuit', endpoint_id: id, probe_delivery_id: 'dlv_1' }).then([]));
    it('closing a closed circuit', () => given(created).when({ type: 'CloseEndpointCircuit', endpoint_id: id, reason: 'nothing_held' }).then([]));
  });

  it('the state holds the circuit as the health view shows it', () => {
    given(created, opened, halfOpened).thenCircuit({ state: 'half_open', opened_at: '2024-01-01T00:00:00.000Z', retry_at: '2024-01-01T00:00:30.000Z', cooldown_s: 30, probe_delivery_id: 'dlv_1' });
    given(created, opened, halfOpened, endpointCircuitClosed({ id, reason: 'delivery_succeeded' })).thenCircuit({ state: 'closed', opened_at: null, retry_at: null, cooldown_s: 0, probe_delivery_id: null });
  });
});

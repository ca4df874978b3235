import { AttemptsSeen, CircuitPolicy, circuitAllows, circuitCommandAfterAttempts, CircuitView } from './circuit-breaker';
import { AttemptResult, foldAttempts, healthAfterEnable, healthAfterSystemDisable, healthyEndpoint } from './endpoint-health';

const policy: CircuitPolicy = { failureRate: 0.5, minRequests: 10, consecutiveFailures: 5, cooldownSeconds: 30, maxCooldownSeconds: 600 };
const now = new Date('2026-11-24T10:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const fail = (s = 0, gone = false): AttemptResult => ({ succeeded: false, gone, at: at(s) });
const ok = (s = 0): AttemptResult => ({ succeeded: true, gone: false, at: at(s) });

const closed: CircuitView = { state: 'closed', cooldown_s: 0 };
const seen = (over: Partial<AttemptsSeen>): AttemptsSeen => ({
  anySuccess: false, anyFailure: true, consecutiveFailures: 1, window: { seconds: 60, requests: 1, failures: 1 }, ...over,
});
const decide = (circuit: CircuitView, attempts: AttemptsSeen) => circuitCommandAfterAttempts('ep_1', circuit, attempts, policy, now);

describe('circuit breaker: what recorded attempts do to the circuit', () => {
  it('given a closed circuit, when a few attempts fail below both thresholds, then nothing changes', () => {
    expect(decide(closed, seen({ consecutiveFailures: 2, window: { seconds: 60, requests: 4, failures: 2 } }))).toBeNull();
  });

  it('when the window failure rate crosses the threshold with enough requests, then it opens for the cool-down, naming the window', () => {
    const window = { seconds: 60, requests: 10, failures: 5 };
    expect(decide(closed, seen({ window }))).toEqual({
      type: 'OpenEndpointCircuit', endpoint_id: 'ep_1', reason: 'failures', retry_at: at(30), cooldown_s: 30, consecutive_failures: 1, window, now,
    });
  });

  it('does not open on a high rate over too few requests', () => {
    expect(decide(closed, seen({ window: { seconds: 60, requests: 3, failures: 3 } }))).toBeNull();
  });

  it('opens after the configured run of consecutive failures, whatever the traffic', () => {
    expect(decide(closed, seen({ consecutiveFailures: 5 }))).toMatchObject({ type: 'OpenEndpointCircuit', reason: 'failures', consecutive_failures: 5 });
  });

  it('does not open on successes alone, however poor the window', () => {
    expect(decide(closed, seen({ anySuccess: true, anyFailure: false, consecutiveFailures: 0, window: { seconds: 60, requests: 20, failures: 19 } }))).toBeNull();
  });

  it('given a half-open circuit, when the probe succeeds, then it closes', () => {
    expect(decide({ state: 'half_open', cooldown_s: 60 }, seen({ anySuccess: true, anyFailure: false })))
      .toEqual({ type: 'CloseEndpointCircuit', endpoint_id: 'ep_1', reason: 'delivery_succeeded' });
  });

  it('given an open circuit, a success (a manual retry) closes it too', () => {
    expect(decide({ state: 'open', cooldown_s: 30 }, seen({ anySuccess: true }))).toMatchObject({ type: 'CloseEndpointCircuit' });
  });

  it('given a half-open circuit, when the probe fails, then it opens again for twice as long, capped', () => {
    expect(decide({ state: 'half_open', cooldown_s: 30 }, seen({}))).toMatchObject({ reason: 'probe_failed', cooldown_s: 60, retry_at: at(60), window: null });
    expect(decide({ state: 'half_open', cooldown_s: 500 }, seen({}))).toMatchObject({ cooldown_s: 600 });
  });

  it('given an open circuit, a failure (a manual retry) changes nothing', () => {
    expect(decide({ state: 'open', cooldown_s: 30 }, seen({ consecutiveFailures: 50 }))).toBeNull();
  });

  it('lets only the probe through a half-open or open circuit', () => {
    expect(circuitAllows('closed', false)).toBe(true);
    expect(circuitAllows('half_open', false)).toBe(false);
    expect(circuitAllows('half_open', true)).toBe(true);
    expect(circuitAllows('open', false)).toBe(false);
  });
});

describe('endpoint health: the failure streak folded from attempts', () => {
  it('counts a run of failures from the first one', () => {
    expect(foldAttempts(healthyEndpoint, [fail(0), fail(1)])).toEqual({ ...healthyEndpoint, consecutive_failures: 2, failing_since: at(0), last_failure_at: at(1) });
  });

  it('a success resets the failure run and failing_since', () => {
    const before = { ...healthyEndpoint, consecutive_failures: 3, failing_since: at(-50) };
    expect(foldAttempts(before, [fail(1), ok(2)])).toEqual({ ...healthyEndpoint, last_success_at: at(2), last_failure_at: at(1) });
  });

  it('remembers a 410 Gone for the auto-disabler', () => {
    expect(foldAttempts(healthyEndpoint, [fail(3, true)]).gone_at).toEqual(at(3));
  });

  it('an enable starts afresh but keeps the last outcomes; a system disable clears only gone_at', () => {
    const failing = foldAttempts(healthyEndpoint, [ok(0), fail(1, true), fail(2)]);
    expect(healthAfterEnable(failing)).toEqual({ ...healthyEndpoint, last_success_at: at(0), last_failure_at: at(2) });
    expect(healthAfterSystemDisable(failing)).toEqual({ ...failing, gone_at: null });
  });
});

import { AttemptResult, CircuitPolicy, circuitAllows, healthyEndpoint, recordAttempts } from './circuit-breaker';

const policy: CircuitPolicy = { failureRate: 0.5, minRequests: 10, consecutiveFailures: 5, cooldownSeconds: 30, maxCooldownSeconds: 600 };
const now = new Date('2026-11-24T10:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const fail = (s = 0, gone = false): AttemptResult => ({ succeeded: false, gone, at: at(s) });
const ok = (s = 0): AttemptResult => ({ succeeded: true, gone: false, at: at(s) });

describe('circuit breaker', () => {
  it('given a healthy endpoint, when a few attempts fail below both thresholds, then the circuit stays closed', () => {
    const { health, transition } = recordAttempts(healthyEndpoint, [fail(0), fail(1)], { requests: 4, failures: 2 }, policy, now);
    expect(transition).toBeNull();
    expect(health).toMatchObject({ circuit_state: 'closed', consecutive_failures: 2, failing_since: at(0), last_failure_at: at(1) });
  });

  it('when the window failure rate crosses the threshold with enough requests, then it opens for the cool-down', () => {
    const { health, transition } = recordAttempts({ ...healthyEndpoint }, [fail()], { requests: 10, failures: 5 }, policy, now);
    expect(transition).toBe('opened');
    expect(health).toMatchObject({ circuit_state: 'open', circuit_opened_at: now, circuit_retry_at: at(30), circuit_cooldown_s: 30 });
  });

  it('does not open on a high rate over too few requests', () => {
    expect(recordAttempts(healthyEndpoint, [fail()], { requests: 3, failures: 3 }, policy, now).transition).toBeNull();
  });

  it('opens after the configured run of consecutive failures, whatever the traffic', () => {
    const before = { ...healthyEndpoint, consecutive_failures: 4, failing_since: at(-100) };
    const { health, transition } = recordAttempts(before, [fail()], { requests: 1, failures: 1 }, policy, now);
    expect(transition).toBe('opened');
    expect(health.failing_since).toEqual(at(-100));
  });

  it('a success resets the failure run and failing_since', () => {
    const before = { ...healthyEndpoint, consecutive_failures: 3, failing_since: at(-50) };
    const { health } = recordAttempts(before, [fail(1), ok(2)], { requests: 20, failures: 4 }, policy, now);
    expect(health).toMatchObject({ consecutive_failures: 0, failing_since: null, last_success_at: at(2), last_failure_at: at(1) });
  });

  it('given a half-open circuit, when the probe succeeds, then it closes and forgets the cool-down', () => {
    const halfOpen = { ...healthyEndpoint, circuit_state: 'half_open' as const, circuit_cooldown_s: 60, consecutive_failures: 7 };
    const { health, transition } = recordAttempts(halfOpen, [ok()], { requests: 1, failures: 0 }, policy, now);
    expect(transition).toBe('closed');
    expect(health).toMatchObject({ circuit_state: 'closed', circuit_cooldown_s: 0, circuit_retry_at: null, consecutive_failures: 0 });
  });

  it('given a half-open circuit, when the probe fails, then it opens again for twice as long, capped', () => {
    const halfOpen = { ...healthyEndpoint, circuit_state: 'half_open' as const, circuit_cooldown_s: 30 };
    expect(recordAttempts(halfOpen, [fail()], { requests: 1, failures: 1 }, policy, now).health).toMatchObject({ circuit_state: 'open', circuit_cooldown_s: 60, circuit_retry_at: at(60) });
    const long = { ...halfOpen, circuit_cooldown_s: 500 };
    expect(recordAttempts(long, [fail()], { requests: 1, failures: 1 }, policy, now).health.circuit_cooldown_s).toBe(600);
  });

  it('records a 410 Gone so the endpoint can be disabled', () => {
    expect(recordAttempts(healthyEndpoint, [fail(3, true)], { requests: 1, failures: 1 }, policy, now).health.gone_at).toEqual(at(3));
  });

  it('lets only the probe through a half-open circuit, nothing through an open one but a probe', () => {
    expect(circuitAllows('closed', false)).toBe(true);
    expect(circuitAllows('half_open', false)).toBe(false);
    expect(circuitAllows('half_open', true)).toBe(true);
    expect(circuitAllows('open', false)).toBe(false);
  });
});

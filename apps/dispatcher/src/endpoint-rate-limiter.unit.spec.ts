import { EndpointRateLimiter, Throttled } from './endpoint-rate-limiter';

describe('EndpointRateLimiter', () => {
  let limiter: EndpointRateLimiter;
  /** When each send was let through, in ms since the test began. */
  let sent: number[];
  let refused: Throttled[];
  const start = Date.parse('2024-11-24T10:00:00.000Z');
  const elapsed = () => Date.now() - start;

  beforeEach(() => {
    jest.useFakeTimers({ now: start });
    limiter = new EndpointRateLimiter(5_000, () => Date.now());
    sent = [];
    refused = [];
  });
  afterEach(() => jest.useRealTimers());

  function send(count: number, perSecond: number | null, endpoint = 'ep_a'): void {
    for (let i = 0; i < count; i++) {
      void limiter.take(endpoint, perSecond).then((throttled) => (throttled ? refused.push(throttled) : sent.push(elapsed())));
    }
  }

  /** Most sends in any one-second window [t, t + 1000). */
  const busiestSecond = (times: number[]) => Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));

  it('lets every send of an endpoint without a limit go at once', async () => {
    send(100, null);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(Array(100).fill(0));
  });

  it('spaces the sends of a limited endpoint 1/N s apart, in the order they came', async () => {
    const order: number[] = [];
    for (let i = 0; i < 6; i++) void limiter.take('ep_a', 5).then(() => order.push(i));
    send(0, 5);
    await jest.advanceTimersByTimeAsync(0);
    expect(order).toEqual([0]);
    await jest.advanceTimersByTimeAsync(199);
    expect(order).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(order).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(800);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never lets more than N through in any one-second window, however the sends arrive', async () => {
    for (let i = 0; i < 300; i++) {
      send(1, 5); // arriving in clusters, at 4 per second on average
      await jest.advanceTimersByTimeAsync([0, 1, 7, 130, 333, 999][i % 6]);
    }
    await jest.advanceTimersByTimeAsync(60_000);
    expect(refused).toEqual([]);
    expect(sent).toHaveLength(300);
    expect(busiestSecond(sent)).toBeLessThanOrEqual(5);
  });

  it('times a send from when it was let through, so a late timer spreads the next ones out', async () => {
    let lag = 0;
    const lagging = new EndpointRateLimiter(5_000, () => elapsed() + lag);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) void lagging.take('ep_a', 1).then(() => times.push(elapsed() + lag));
    await jest.advanceTimersByTimeAsync(0);
    lag = 400; // the event loop stalled: the second send is let through at 1400, not 1000
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(1000);
    expect(times).toEqual([0, 1400, 2400]);
  });

  it('hands a send back, with about how long its turn is off, once maxWait worth of sends are waiting', async () => {
    send(26, 5); // one goes at once, 25 wait: five seconds' worth
    await jest.advanceTimersByTimeAsync(0);
    expect(refused).toEqual([]);
    send(1, 5);
    await jest.advanceTimersByTimeAsync(0);
    expect(refused).toEqual([{ retryInMs: 5200 }]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(26);
  });

  it('lets the next send go at once when the last one is long enough ago', async () => {
    send(1, 2);
    await jest.advanceTimersByTimeAsync(500);
    send(1, 2);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([0, 500]);
  });

  it('limits endpoints independently', async () => {
    send(2, 1, 'ep_a');
    send(1, 1, 'ep_b');
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([0, 0]);
  });

  it('applies a changed limit to the sends already waiting', async () => {
    send(3, 1);
    await jest.advanceTimersByTimeAsync(0);
    send(1, 10);
    await jest.advanceTimersByTimeAsync(300);
    expect(sent).toEqual([0, 100, 200, 300]);
  });
});

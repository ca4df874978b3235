import { TestSystem, WebhookReceiver } from '@hookledger/testing';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** One dead receiver must never slow the rest. */
describe('endpoint isolation, end to end', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  /** Publishes `count` healthy events at ~50/s and returns each one's publish → received latency. */
  async function healthyLatencies(count: number, tag: string): Promise<number[]> {
    const sentAt = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const started = Date.now();
      const { body } = await system.request('POST', '/v1/events', { body: { type: 'iso.healthy', data: { tag, i } } });
      sentAt.set(body.id, started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await receiver.waitFor((requests) => requests.filter((r) => r.path === '/healthy' && JSON.parse(r.body).data.tag === tag).length >= count, 30_000);
    return receiver.received('/healthy')
      .filter((r) => JSON.parse(r.body).data.tag === tag)
      .map((r) => r.receivedAt - sentAt.get(String(r.headers['webhook-id']))!);
  }

  it('keeps a healthy endpoint at its normal latency while its neighbour hangs', async () => {
    receiver.answer('/hanging', () => ({ hang: true }));
    await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/healthy'), event_types: ['iso.healthy'] } });
    await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/hanging'), event_types: ['iso.dead'], timeout_ms: 10_000, retry_schedule: [60] } });

    const alone = await healthyLatencies(40, 'alone');

    // Flood the hanging endpoint: far more in flight than its concurrency share.
    await system.request('POST', '/v1/events/batch', { body: { events: Array.from({ length: 300 }, (_, i) => ({ type: 'iso.dead', data: { i } })) } });
    await receiver.waitFor((requests) => requests.filter((r) => r.path === '/hanging').length >= 10, 20_000);
    const neighbour = await healthyLatencies(40, 'neighbour');

    const summary = {
      alone: { p50: percentile(alone, 50), p95: percentile(alone, 95), max: Math.max(...alone) },
      with_hanging_neighbour: { p50: percentile(neighbour, 50), p95: percentile(neighbour, 95), max: Math.max(...neighbour) },
      hanging_requests_in_flight: receiver.received('/hanging').length,
    };
    console.log(`endpoint isolation: ${JSON.stringify(summary)}`);
    // The hanging endpoint holds its sends for 10 s each; a healthy delivery stuck behind it would take that long.
    expect(summary.with_hanging_neighbour.max).toBeLessThan(5_000);
  });
});

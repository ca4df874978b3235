import { Client } from 'pg';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

describe('pausing an endpoint holds its deliveries, and resuming sends them in order', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Order of arrival only means something when the endpoint gets one request at a time.
    system = await TestSystem.start({ env: { HOOKS_ENDPOINT_CONCURRENCY: '1' } });
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('stores new deliveries as pending while paused and delivers them in publication order on resume', async () => {
    const endpoint = (await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/paused'), event_types: ['paused.thing'] } })).body;
    await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/paused-witness'), event_types: ['paused.thing'] } });

    const paused = await system.request('POST', `/v1/endpoints/${endpoint.id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, active: true });
    expect((await system.request('POST', `/v1/endpoints/${endpoint.id}/pause`)).body.paused).toBe(true);

    const count = 30;
    for (let n = 1; n <= count; n++) {
      expect((await system.request('POST', '/v1/events', { body: { type: 'paused.thing', data: { n } } })).status).toBe(202);
    }
    // The witness has them all: the paused endpoint's commands went through the dispatcher too.
    await receiver.waitForCount('/paused-witness', count);
    // And every one of the paused endpoint's commands was held back (DeliveryDeferred): resuming
    // earlier would let a command still on its way be sent at once, ahead of the held ones.
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      await eventually(async () => {
        const { rows } = await db.query(
          `SELECT count(DISTINCT e.stream_id)::int AS held FROM events e JOIN deliveries d ON e.stream_id = 'delivery-' || d.id
            WHERE d.endpoint_id = $1 AND e.type = 'DeliveryDeferred'`, [endpoint.id]);
        return rows[0].held === count ? true : undefined;
      }, 'every delivery of the paused endpoint to be held back');
    } finally {
      await db.end();
    }
    expect(receiver.received('/paused')).toHaveLength(0);
    const { body: listed } = await system.request('GET', `/v1/deliveries?endpoint_id=${endpoint.id}&limit=100`);
    expect(listed.data).toHaveLength(count);
    expect(new Set(listed.data.map((d: { status: string }) => d.status))).toEqual(new Set(['pending']));
    expect((await system.request('GET', `/v1/endpoints/${endpoint.id}/health`)).body.paused).toBe(true);

    const resumed = await system.request('POST', `/v1/endpoints/${endpoint.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toBe(false);

    await receiver.waitForCount('/paused', count, 30_000);
    const order = receiver.received('/paused').map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n);
    expect(order).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });
});

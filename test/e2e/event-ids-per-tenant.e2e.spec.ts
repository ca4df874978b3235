import { ingestMessageId } from '@hookledger/contracts';
import { natsUrl, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

interface Key {
  readonly id: string;
  readonly value: string;
}

/**
 * Event ids are the publisher's, unique within its tenant: two tenants using the same id have two
 * events. Before, tenant B publishing `order-1001` first made tenant A's `order-1001` vanish after
 * a 202, and /v1/webhooks/verify compared a guessed body with any tenant's message and said where
 * it first differed: an oracle that read another tenant's payload a character at a time.
 */
describe('event ids are per tenant', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  const keys = {} as Record<'acmePublisher' | 'acmeReader' | 'globexPublisher' | 'globexReader', Key>;
  const endpoints = {} as Record<'acme' | 'globex', string>;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
    for (const tenant of ['acme', 'globex'] as const) {
      expect((await system.request('POST', '/v1/tenants', { body: { id: tenant, name: tenant } })).status).toBe(201);
      const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(`/${tenant}`), tenant_id: tenant, event_types: ['order.*'] } });
      expect(endpoint.status).toBe(201);
      endpoints[tenant] = endpoint.body.id;
    }
    keys.acmePublisher = await createKey({ role: 'publisher', tenant_id: 'acme' });
    keys.acmeReader = await createKey({ role: 'reader', tenant_id: 'acme' });
    keys.globexPublisher = await createKey({ role: 'publisher', tenant_id: 'globex' });
    keys.globexReader = await createKey({ role: 'reader', tenant_id: 'globex' });
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function createKey(body: Record<string, unknown>): Promise<Key> {
    const answer = await system.request('POST', '/v1/api-keys', { body });
    expect(answer.status).toBe(201);
    return { id: answer.body.id, value: answer.body.key };
  }

  const publish = (key: Key, event: Record<string, unknown>, headers?: Record<string, string>) =>
    system.request('POST', '/v1/events', { body: { type: 'order.created', ...event }, key: key.value, headers });

  /** The bodies `path` received for the event id, parsed. */
  const receivedFor = (path: string, id: string) =>
    receiver.received(path).map((request) => JSON.parse(request.body)).filter((body: { id: string }) => body.id === id);

  /** Waits until the event is stored with its deliveries settled, as the tenant's reader sees it. */
  const storedEvent = (reader: Key, id: string) => eventually(async () => {
    const answer = await system.request('GET', `/v1/events/${id}`, { key: reader.value });
    return answer.status === 200 && answer.body.deliveries.every((d: { status: string }) => d.status === 'succeeded') ? answer.body : undefined;
  }, `event ${id} to be stored and delivered`);

  it("stores and delivers both tenants' order-1001 when B publishes it first, each to its own endpoint, each read by its own tenant", async () => {
    const byGlobex = await publish(keys.globexPublisher, { id: 'order-1001', data: { from: 'globex' } });
    expect(byGlobex.status).toBe(202);
    expect(byGlobex.body).toMatchObject({ id: 'order-1001', duplicate: false });
    await receiver.waitForCount('/globex', 1);
    const byAcme = await publish(keys.acmePublisher, { id: 'order-1001', data: { from: 'acme' } });
    expect(byAcme.status).toBe(202);
    expect(byAcme.body).toMatchObject({ id: 'order-1001', duplicate: false });
    await receiver.waitForCount('/acme', 1);

    expect(receivedFor('/acme', 'order-1001').map((body) => body.data)).toEqual([{ from: 'acme' }]);
    expect(receivedFor('/globex', 'order-1001').map((body) => body.data)).toEqual([{ from: 'globex' }]);
    expect(await storedEvent(keys.acmeReader, 'order-1001')).toMatchObject({ tenant_id: 'acme', data: { from: 'acme' }, deliveries: [{ endpoint_id: endpoints.acme }] });
    expect(await storedEvent(keys.globexReader, 'order-1001')).toMatchObject({ tenant_id: 'globex', data: { from: 'globex' }, deliveries: [{ endpoint_id: endpoints.globex }] });
    const acmeDeliveries = await system.request('GET', '/v1/deliveries?event_id=order-1001', { key: keys.acmeReader.value });
    expect(acmeDeliveries.body.data.map((d: { endpoint_id: string }) => d.endpoint_id)).toEqual([endpoints.acme]);

    // A key across tenants is told the id is ambiguous, and which tenants to choose from.
    const ambiguous = await system.request('GET', '/v1/events/order-1001');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.headers.get('content-type')).toContain('application/problem+json');
    expect(ambiguous.body).toMatchObject({ tenants: ['acme', 'globex'] });
    expect(ambiguous.body.detail).toContain('tenant_id');
    expect((await system.request('GET', '/v1/events/order-1001?tenant_id=globex')).body).toMatchObject({ tenant_id: 'globex', data: { from: 'globex' } });
    // The message streams are per tenant too, readable by their full name.
    const stream = await system.request('GET', `/v1/audit/streams/${encodeURIComponent('message-acme/order-1001')}`);
    expect(stream.body).toMatchObject({ stream_id: 'message-acme/order-1001', version: 1 });
  });

  it("answers a tenant's repeat of its own id as duplicate: true with the same 202, and delivers it once", async () => {
    await publish(keys.acmePublisher, { id: 'order-1002', data: { n: 1 } });
    await storedEvent(keys.acmeReader, 'order-1002');

    const repeat = await publish(keys.acmePublisher, { id: 'order-1002', data: { n: 1 } });
    expect(repeat.status).toBe(202);
    expect(repeat.body).toMatchObject({ id: 'order-1002', duplicate: true });
    const batch = await system.request('POST', '/v1/events/batch', {
      key: keys.acmePublisher.value,
      body: { events: [{ id: 'order-1002', type: 'order.created', data: { n: 1 } }, { id: 'order-1003', type: 'order.created', data: { n: 3 } }] },
    });
    expect(batch.status).toBe(202);
    expect(batch.body.data.map((item: { id: string; duplicate: boolean }) => [item.id, item.duplicate])).toEqual([['order-1002', true], ['order-1003', false]]);
    // Twice within JetStream's dedup window, before ingest stored it: the bus says duplicate.
    const [first, second] = [await publish(keys.acmePublisher, { id: 'order-1004', data: {} }), await publish(keys.acmePublisher, { id: 'order-1004', data: {} })];
    expect([first.body.duplicate, second.body.duplicate]).toEqual([false, true]);

    // order-1003 and order-1004 were accepted after the repeats: once they are delivered, so would be any repeat.
    await storedEvent(keys.acmeReader, 'order-1003');
    await storedEvent(keys.acmeReader, 'order-1004');
    expect(receivedFor('/acme', 'order-1002')).toHaveLength(1);
    expect(receivedFor('/acme', 'order-1004')).toHaveLength(1);
  });

  it("spends no quota and creates no ad-hoc destination for a repeat: at a full quota a retry still answers duplicate", async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'initech', name: 'initech', quotas: { max_events_per_month: 3 } } })).status).toBe(201);
    const publisher = await createKey({ role: 'publisher', tenant_id: 'initech' });
    const reader = await createKey({ role: 'reader', tenant_id: 'initech' });
    const usage = async () => (await system.request('GET', '/v1/tenants/initech')).body.usage;

    const first = await publish(publisher, { id: 'inv-1', data: {}, destination: { url: receiver.url('/initech') } });
    expect(first.status).toBe(202);
    expect(first.body.destination).toMatchObject({ endpoint_id: expect.stringMatching(/^ep_/) });
    await storedEvent(reader, 'inv-1');
    // A repeat inside JetStream's dedup window (not yet stored) is counted, then given back when
    // the bus calls it a duplicate; one already stored is answered before anything is counted.
    const [second, inWindow] = [await publish(publisher, { id: 'inv-2', data: {} }), await publish(publisher, { id: 'inv-2', data: {} })];
    expect([second.body.duplicate, inWindow.body.duplicate]).toEqual([false, true]);
    const stored = await publish(publisher, { id: 'inv-1', data: {}, destination: { url: receiver.url('/initech') } });
    expect(stored.status).toBe(202);
    expect(stored.body).toEqual({ id: 'inv-1', type: 'order.created', timestamp: first.body.timestamp, duplicate: true });
    expect(await usage()).toMatchObject({ endpoints: 1, events_this_month: 2 });

    expect((await publish(publisher, { id: 'inv-3', data: {} })).status).toBe(202);
    expect((await publish(publisher, { id: 'inv-4', data: {} })).status).toBe(429);
    const retry = await publish(publisher, { id: 'inv-1', data: {} });
    expect([retry.status, retry.body.duplicate]).toEqual([202, true]);
    expect(await usage()).toMatchObject({ endpoints: 1, events_this_month: 3 });
    expect(receivedFor('/initech', 'inv-1')).toHaveLength(1);
  });

  it("keeps Idempotency-Key answers per key: two tenants sending the same key each get their own event", async () => {
    const headers = { 'Idempotency-Key': 'shared-idempotency-key' };
    const acme = await publish(keys.acmePublisher, { id: 'order-1005', data: { from: 'acme' } }, headers);
    const globex = await publish(keys.globexPublisher, { id: 'order-1005', data: { from: 'globex' } }, headers);
    expect([acme.status, globex.status]).toEqual([202, 202]);
    expect(globex.headers.get('idempotent-replayed')).toBeNull();
    expect(globex.body.duplicate).toBe(false);
    expect((await storedEvent(keys.globexReader, 'order-1005')).data).toEqual({ from: 'globex' });
    expect((await storedEvent(keys.acmeReader, 'order-1005')).data).toEqual({ from: 'acme' });
  });

  describe('the inbound bus', () => {
    async function onBus(command: Record<string, unknown>): Promise<void> {
      const { connect } = await import('@nats-io/transport-node');
      const { jetstream } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: natsUrl() });
      try {
        await jetstream(nc).publish(`${system.namespace}.in.order.created`, JSON.stringify(command), { msgID: ingestMessageId(String(command.tenant_id), String(command.id)) });
      } finally {
        await nc.close();
      }
    }

    it("dedups by (tenant, id) there too: a bus event with another tenant's id is stored and delivered", async () => {
      await publish(keys.globexPublisher, { id: 'order-2001', data: { from: 'globex' } });
      await storedEvent(keys.globexReader, 'order-2001');
      await onBus({ id: 'order-2001', tenant_id: 'acme', data: { from: 'acme via the bus' } });
      expect((await storedEvent(keys.acmeReader, 'order-2001')).data).toEqual({ from: 'acme via the bus' });
      expect(receivedFor('/acme', 'order-2001').map((body) => body.data)).toEqual([{ from: 'acme via the bus' }]);
    });

    it("never delivers a command naming another tenant's endpoint in endpoint_ids", async () => {
      await onBus({ id: 'order-2002', tenant_id: 'globex', data: { from: 'globex, aimed at acme' }, endpoint_ids: [endpoints.acme] });
      // Witness: the event is stored, and a delivery would have been created with it, in one transaction.
      const stored = await eventually(async () => {
        const answer = await system.request('GET', '/v1/events/order-2002?tenant_id=globex');
        return answer.status === 200 ? answer.body : undefined;
      }, 'the bus event to be stored');
      expect(stored.deliveries).toEqual([]);
      expect((await system.request('GET', `/v1/deliveries?endpoint_id=${endpoints.acme}&event_id=order-2002`)).body.data).toEqual([]);
      expect(receivedFor('/acme', 'order-2002')).toEqual([]);
    });
  });

  describe('POST /v1/webhooks/verify', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const ACME_PIN = '4921';

    beforeAll(async () => {
      expect((await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/acme-data'), tenant_id: 'acme', event_types: ['pin.*'], payload_format: 'data' } })).status).toBe(201);
      expect((await system.request('POST', '/v1/events', { body: { id: 'pin-7', type: 'pin.issued', tenant_id: 'acme', data: { pin: ACME_PIN } } })).status).toBe(202);
      await receiver.waitForCount('/acme-data', 1);
    });

    /** The raw answer, to compare byte for byte. */
    async function verify(key: Key, payload: string, messageId: string): Promise<{ status: number; type: string | null; text: string }> {
      const headers = { 'webhook-id': messageId, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' };
      const response = await fetch(`${system.apiUrl}/v1/webhooks/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.value}`, 'content-type': 'application/json' },
        body: JSON.stringify({ payload, headers, secret }),
      });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }

    it("lets no key of tenant B walk tenant A's payload: every guess answers exactly as for an id that does not exist", async () => {
      const known = '{"pin":"';
      let recovered = '';
      let requests = 0;
      const answers = new Set<string>();
      const differing: string[] = [];
      // The walk: extend the guess by the digit that moves "differs from character N" forward.
      for (let position = 0; position < ACME_PIN.length; position++) {
        let advanced = false;
        for (const digit of '0123456789') {
          const guess = `${known}${recovered}${digit}`;
          const answer = await verify(keys.globexReader, guess, 'pin-7');
          const missing = await verify(keys.globexReader, guess, 'pin-does-not-exist');
          requests += 2;
          if (JSON.stringify(answer) !== JSON.stringify(missing)) differing.push(guess);
          answers.add(answer.text);
          const at = /character (\d+)/.exec(JSON.parse(answer.text).detail);
          if (at && Number(at[1]) > guess.length - 1) {
            recovered += digit;
            advanced = true;
            break;
          }
        }
        if (!advanced) break;
      }
      console.info(`verify oracle walk: ${requests} requests recovered ${JSON.stringify(recovered)} of tenant acme's pin`);
      expect(recovered).toBe('');
      expect(differing).toEqual([]);
      expect(answers.size).toBe(1);
      expect(JSON.parse([...answers][0])).toMatchObject({ valid: false, reason: 'signature_mismatch' });
    });

    it('still compares with the caller\'s own messages, without saying where a body differs', async () => {
      const answer = JSON.parse((await verify(keys.acmeReader, `{"pin":"${ACME_PIN.slice(0, 2)}00"}`, 'pin-7')).text);
      expect(answer).toMatchObject({ valid: false, reason: 'body_altered', message_id: 'pin-7' });
      expect(answer.detail).toContain('differs from what we sent');
      expect(answer.detail).not.toMatch(/character|\d+\)?\.$/);
      expect(JSON.parse((await verify(keys.acmeReader, `{"pin":"${ACME_PIN}"}`, 'pin-7')).text)).toMatchObject({ reason: 'wrong_secret' });
    });
  });
});

import { ApiAnswer, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

describe('payload filters at fan-out, end to end', () => {
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

  const expectProblem = (answer: ApiAnswer, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  };

  async function createEndpoint(path: string, body: Record<string, unknown>) {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), ...body } });
    expect(created.status).toBe(201);
    return created.body as { id: string; filter: unknown };
  }

  async function publish(type: string, data: Record<string, unknown>) {
    const accepted = await system.request('POST', '/v1/events', { body: { type, data } });
    expect(accepted.status).toBe(202);
    return accepted.body.id as string;
  }

  /** The endpoints an event went to, once every delivery of it succeeded; ingest creates them all at once. */
  const deliveredTo = (eventId: string, atLeast: number) =>
    eventually(async () => {
      const answer = await system.request('GET', `/v1/deliveries?event_id=${encodeURIComponent(eventId)}`);
      const deliveries = answer.body.data as { endpoint_id: string; status: string }[];
      return deliveries.length >= atLeast && deliveries.every((d) => d.status === 'succeeded') ? deliveries.map((d) => d.endpoint_id).sort() : undefined;
    }, `the deliveries of ${eventId}`);

  it('delivers to each endpoint only the events its filter matches', async () => {
    const types = ['invoice.*'];
    const big = await createEndpoint('/big', { event_types: types, filter: { amount: { $gte: 1000 }, currency: { $in: ['usd', 'eur'] } } });
    const europe = await createEndpoint('/europe', {
      event_types: types,
      filter: { $or: [{ 'customer.country': { $in: ['de', 'fr'] } }, { customer: { tier: 'vip' } }] },
    });
    const live = await createEndpoint('/live', { event_types: types, filter: { $and: [{ test: { $exists: false } }, { status: { $nin: ['void', 'draft'] } }] } });
    const smallNonUsd = await createEndpoint('/small', { event_types: types, filter: { currency: { $neq: 'usd' }, amount: { $lt: 50 } } });
    const everything = await createEndpoint('/all', { event_types: types });
    expect(big.filter).toEqual({ amount: { $gte: 1000 }, currency: { $in: ['usd', 'eur'] } });

    const events = {
      bigUsdDe: await publish('invoice.paid', { amount: 5000, currency: 'usd', status: 'paid', customer: { country: 'de' } }),
      bigGbpVip: await publish('invoice.paid', { amount: 5000, currency: 'gbp', status: 'paid', customer: { country: 'us', tier: 'vip' } }),
      smallEurTest: await publish('invoice.created', { amount: 10, currency: 'eur', status: 'draft', test: true, customer: { country: 'fr' } }),
      amountAsText: await publish('invoice.paid', { amount: '5000', currency: 'usd', status: 'void', customer: {} }),
      noData: await publish('invoice.voided', {}),
    };
    const expected: Record<string, string[]> = {
      [events.bigUsdDe]: [big.id, europe.id, live.id, everything.id],
      [events.bigGbpVip]: [europe.id, live.id, everything.id],
      [events.smallEurTest]: [europe.id, smallNonUsd.id, everything.id],
      [events.amountAsText]: [everything.id],
      [events.noData]: [live.id, everything.id],
    };
    for (const [eventId, endpointIds] of Object.entries(expected)) {
      expect(await deliveredTo(eventId, endpointIds.length)).toEqual([...endpointIds].sort());
    }
    const idsAt = (path: string) => receiver.received(path).map((r) => String(r.headers['webhook-id'])).sort();
    expect(idsAt('/big')).toEqual([events.bigUsdDe]);
    expect(idsAt('/small')).toEqual([events.smallEurTest]);
    expect(idsAt('/all')).toHaveLength(5);
  });

  it('refuses an invalid filter with 400 naming where it is wrong, on create and on PATCH', async () => {
    const unknownOperator = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/bad'), filter: { amount: { $between: [1, 2] } } } });
    expectProblem(unknownOperator, 400);
    expect(unknownOperator.body.errors).toEqual([{ field: 'filter.amount.$between', message: expect.stringContaining('unknown operator $between') }]);

    const wrongOperand = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/bad'), filter: { $or: [{ a: 1 }, { 'b.c': { $in: 'x' } }] } } });
    expectProblem(wrongOperand, 400);
    expect(wrongOperand.body.errors).toEqual([{ field: 'filter.$or.1.b.c.$in', message: expect.stringContaining('array') }]);

    const notAnObject = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/bad'), filter: [1] } });
    expectProblem(notAnObject, 400);
    expect(notAnObject.body.errors).toEqual([expect.objectContaining({ field: 'filter' })]);

    const listed = await system.request('GET', '/v1/endpoints?limit=250');
    expect(listed.body.data.map((e: { url: string }) => e.url)).not.toContain(receiver.url('/bad'));

    const endpoint = await createEndpoint('/patched-bad', { filter: { ok: true } });
    const patch = await system.request('PATCH', `/v1/endpoints/${endpoint.id}`, { body: { filter: { amount: { $gt: true } } } });
    expectProblem(patch, 400);
    expect(patch.body.errors).toEqual([{ field: 'filter.amount.$gt', message: expect.stringContaining('number or a string') }]);
    expect((await system.request('GET', `/v1/endpoints/${endpoint.id}`)).body.filter).toEqual({ ok: true });
  });

  it('refuses the costly filter of issue 11 with 422 naming the object operand, and matches the costliest accepted one against a 20,000-key event', async () => {
    const branch = { b: { $in: Array.from({ length: 100 }, () => ({})) } };
    const attack = { $or: Array.from({ length: 51 }, () => branch) };
    expect(JSON.stringify(attack).length).toBeLessThanOrEqual(16_384);
    const refused = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/costly'), filter: attack } });
    expectProblem(refused, 422);
    expect(refused.body.errors).toEqual([{ field: 'filter.$or.0.b.$in.0', message: expect.stringContaining('objects are not compared whole') }]);
    const objectEq = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/costly'), filter: { customer: { $eq: { tier: 'vip' } } } } });
    expectProblem(objectEq, 422);
    expect(objectEq.body.errors).toEqual([{ field: 'filter.customer.$eq', message: expect.any(String) }]);

    // The same shape with scalar operands, as large as the limits allow, and one branch that matches.
    const branches: Record<string, unknown>[] = [{ 'b.k19999': 0 }];
    const scalarBranch = (i: number) => ({ b: { $in: Array.from({ length: 100 }, (_, j) => i * 100 + j) } });
    while (branches.length < 100 && JSON.stringify({ $or: [...branches, scalarBranch(branches.length)] }).length <= 16_384) branches.unshift(scalarBranch(branches.length));
    const costly = await createEndpoint('/costliest', { event_types: ['bulk.*'], filter: { $or: branches } });
    const witness = await createEndpoint('/bulk-witness', { event_types: ['bulk.*'] });
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 0]));
    const matching = await publish('bulk.loaded', { b: wide });
    const other = await publish('bulk.loaded', { b: { ...wide, k19999: 1 } });
    expect(await deliveredTo(matching, 2)).toEqual([costly.id, witness.id].sort());
    expect(await deliveredTo(other, 1)).toEqual([witness.id]);
  });

  it('applies a PATCHed filter to the next event, and a null filter lets everything through', async () => {
    const plans = await createEndpoint('/plans', { event_types: ['subscription.*'], filter: { plan: 'pro' } });
    const witness = await createEndpoint('/witness', { event_types: ['subscription.*'] });

    const free = await publish('subscription.renewed', { plan: 'free' });
    expect(await deliveredTo(free, 1)).toEqual([witness.id]);

    const patched = await system.request('PATCH', `/v1/endpoints/${plans.id}`, { body: { filter: { plan: { $in: ['free', 'pro'] } } } });
    expect(patched.status).toBe(200);
    expect(patched.body.filter).toEqual({ plan: { $in: ['free', 'pro'] } });
    const freeAgain = await publish('subscription.renewed', { plan: 'free' });
    expect(await deliveredTo(freeAgain, 2)).toEqual([plans.id, witness.id].sort());
    const enterprise = await publish('subscription.renewed', { plan: 'enterprise' });
    expect(await deliveredTo(enterprise, 1)).toEqual([witness.id]);

    expect((await system.request('PATCH', `/v1/endpoints/${plans.id}`, { body: { filter: null } })).body.filter).toBeNull();
    const anything = await publish('subscription.renewed', { plan: 'enterprise' });
    expect(await deliveredTo(anything, 2)).toEqual([plans.id, witness.id].sort());
    expect(receiver.received('/plans').map((r) => String(r.headers['webhook-id']))).toEqual([freeAgain, anything]);
  });
});

import { Subscription, SubscriptionIndex } from './subscription-index';

const endpoint = (id: string, fields: Partial<Subscription> = {}): Subscription => ({ id, active: true, ...fields });

describe('SubscriptionIndex', () => {
  it('routes by exact name, prefix wildcard at any depth, "*" and "all" (null or empty)', () => {
    const index = new SubscriptionIndex([
      endpoint('ep_exact', { event_types: ['invoice.paid'] }),
      endpoint('ep_prefix', { event_types: ['invoice.*'] }),
      endpoint('ep_deep', { event_types: ['invoice.line.*'] }),
      endpoint('ep_star', { event_types: ['*'] }),
      endpoint('ep_null', { event_types: null }),
      endpoint('ep_empty', { event_types: [] }),
      endpoint('ep_user', { event_types: ['user.created'] }),
    ]);

    expect(index.match({ type: 'invoice.paid' })).toEqual(['ep_exact', 'ep_prefix', 'ep_star', 'ep_null', 'ep_empty']);
    expect(index.match({ type: 'invoice.line.added' })).toEqual(['ep_prefix', 'ep_deep', 'ep_star', 'ep_null', 'ep_empty']);
    expect(index.match({ type: 'invoice' })).toEqual(['ep_star', 'ep_null', 'ep_empty']);
    expect(index.match({ type: 'user.created' })).toEqual(['ep_star', 'ep_null', 'ep_empty', 'ep_user']);
  });

  it('routes operational webhooks (hookledger.*) only to endpoints that name them, never to "all" or "*"', () => {
    const index = new SubscriptionIndex([
      endpoint('ep_all', { event_types: null }),
      endpoint('ep_star', { event_types: ['*'] }),
      endpoint('ep_ops', { event_types: ['hookledger.*'] }),
      endpoint('ep_disabled', { event_types: ['hookledger.endpoint.disabled'] }),
      endpoint('ep_star_and_ops', { event_types: ['*', 'hookledger.delivery.*'] }),
    ]);

    expect(index.match({ type: 'hookledger.endpoint.disabled' })).toEqual(['ep_ops', 'ep_disabled']);
    expect(index.match({ type: 'hookledger.delivery.exhausted' })).toEqual(['ep_ops', 'ep_star_and_ops']);
    expect(index.match({ type: 'invoice.paid' })).toEqual(['ep_all', 'ep_star', 'ep_star_and_ops']);
  });

  it('lists an endpoint once even when several of its patterns match', () => {
    const index = new SubscriptionIndex([endpoint('ep_1', { event_types: ['invoice.paid', 'invoice.*', 'invoice.paid'] })]);
    expect(index.match({ type: 'invoice.paid' })).toEqual(['ep_1']);
  });

  it('never routes to an inactive endpoint', () => {
    const index = new SubscriptionIndex([endpoint('ep_off', { active: false }), endpoint('ep_on')]);
    expect(index.match({ type: 'invoice.paid' })).toEqual(['ep_on']);
    expect(index.size).toBe(1);
  });

  it('keeps tenants apart: a tenant event reaches only that tenant, an event without tenant only tenant-less endpoints', () => {
    const index = new SubscriptionIndex([
      endpoint('ep_a', { tenant_id: 'acme' }),
      endpoint('ep_b', { tenant_id: 'globex' }),
      endpoint('ep_none', { tenant_id: null }),
    ]);
    expect(index.match({ type: 'x', tenant_id: 'acme' })).toEqual(['ep_a']);
    expect(index.match({ type: 'x', tenant_id: null })).toEqual(['ep_none']);
    expect(index.match({ type: 'x' })).toEqual(['ep_none']);
    expect(index.match({ type: 'x', tenant_id: 'initech' })).toEqual([]);
  });

  it('sends channel-scoped endpoints only events sharing a channel; endpoints without channels get all', () => {
    const index = new SubscriptionIndex([
      endpoint('ep_eu', { channels: ['eu', 'beta'] }),
      endpoint('ep_us', { channels: ['us'] }),
      endpoint('ep_any', { channels: null }),
    ]);
    expect(index.match({ type: 'x', channels: ['beta'] })).toEqual(['ep_eu', 'ep_any']);
    expect(index.match({ type: 'x', channels: ['us', 'eu'] })).toEqual(['ep_eu', 'ep_us', 'ep_any']);
    expect(index.match({ type: 'x' })).toEqual(['ep_any']);
  });

  it('drops endpoints whose payload filter does not match the event data', () => {
    const index = new SubscriptionIndex([
      endpoint('ep_big', { filter: { amount: { $gte: 1000 } } }),
      endpoint('ep_eu', { event_types: ['invoice.*'], filter: { 'customer.country': { $in: ['de', 'fr'] } } }),
      endpoint('ep_all', { filter: null }),
      endpoint('ep_empty', { filter: {} }),
    ]);
    const data = { amount: 1500, customer: { country: 'de' } };
    expect(index.match({ type: 'invoice.paid', data })).toEqual(['ep_big', 'ep_eu', 'ep_all', 'ep_empty']);
    expect(index.match({ type: 'invoice.paid', data: { amount: 10, customer: { country: 'us' } } })).toEqual(['ep_all', 'ep_empty']);
    expect(index.match({ type: 'user.created', data })).toEqual(['ep_big', 'ep_all', 'ep_empty']);
    expect(index.match({ type: 'invoice.paid' })).toEqual(['ep_all', 'ep_empty']);
  });

  it('applies a filter on top of patterns (matched twice, listed once), tenants and channels', () => {
    const index = new SubscriptionIndex([
      endpoint('ep_1', { event_types: ['invoice.paid', 'invoice.*'], channels: ['eu'], filter: { $or: [{ amount: { $gt: 0 } }, { refund: { $exists: true } }] } }),
      endpoint('ep_t', { tenant_id: 'acme', filter: { amount: { $gt: 0 } } }),
    ]);
    expect(index.match({ type: 'invoice.paid', channels: ['eu'], data: { refund: true } })).toEqual(['ep_1']);
    expect(index.match({ type: 'invoice.paid', channels: ['us'], data: { amount: 5 } })).toEqual([]);
    expect(index.match({ type: 'invoice.paid', tenant_id: 'acme', data: { amount: 5 } })).toEqual(['ep_t']);
    expect(index.match({ type: 'invoice.paid', tenant_id: 'acme', data: { amount: 0 } })).toEqual([]);
  });

  it('sends nothing to an endpoint whose stored filter is not valid, and reports it', () => {
    const index = new SubscriptionIndex([endpoint('ep_bad', { filter: { amount: { $between: [1, 2] } } }), endpoint('ep_ok')]);
    expect(index.match({ type: 'x', data: { amount: 1 } })).toEqual(['ep_ok']);
    expect(index.invalidFilters).toEqual([{ id: 'ep_bad', reason: expect.stringContaining('filter.amount.$between') }]);
  });

  it('applies changes to one endpoint, keeping every other endpoint and the order matches are answered in', () => {
    const before = new SubscriptionIndex([
      endpoint('ep_1', { tenant_id: 'acme', event_types: ['invoice.*'] }),
      endpoint('ep_2', { tenant_id: 'acme', event_types: ['invoice.paid'] }),
      endpoint('ep_3', { tenant_id: 'globex' }),
    ]);
    const after = before.withChanges([
      endpoint('ep_1', { tenant_id: 'acme', event_types: ['invoice.paid'], filter: { amount: { $gt: 0 } } }),
      endpoint('ep_4', { tenant_id: 'acme' }),
      endpoint('ep_new', { tenant_id: 'initech' }),
    ]);
    expect(after.match({ type: 'invoice.paid', tenant_id: 'acme', data: { amount: 1 } })).toEqual(['ep_1', 'ep_2', 'ep_4']);
    expect(after.match({ type: 'invoice.line', tenant_id: 'acme', data: { amount: 1 } })).toEqual(['ep_4']);
    expect(after.match({ type: 'invoice.paid', tenant_id: 'acme', data: { amount: 0 } })).toEqual(['ep_2', 'ep_4']);
    expect(after.match({ type: 'x', tenant_id: 'globex' })).toEqual(['ep_3']);
    expect(after.match({ type: 'x', tenant_id: 'initech' })).toEqual(['ep_new']);
    expect(after.size).toBe(5);
    // The index it came from is unchanged: a batch holding it keeps a consistent view.
    expect(before.match({ type: 'invoice.line', tenant_id: 'acme' })).toEqual(['ep_1']);
    expect(before.size).toBe(3);
  });

  it('drops an endpoint that became inactive (disabled, deleted, ad-hoc), and a tenant left with none', () => {
    const before = new SubscriptionIndex([endpoint('ep_1', { tenant_id: 'acme' }), endpoint('ep_2', { tenant_id: 'acme' }), endpoint('ep_3', { tenant_id: 'globex' })]);
    const after = before.withChanges([endpoint('ep_1', { tenant_id: 'acme', active: false }), endpoint('ep_3', { tenant_id: 'globex', active: false })]);
    expect(after.match({ type: 'x', tenant_id: 'acme' })).toEqual(['ep_2']);
    expect(after.match({ type: 'x', tenant_id: 'globex' })).toEqual([]);
    expect(after.size).toBe(1);
    expect(after.withChanges([endpoint('ep_1', { tenant_id: 'acme' })]).match({ type: 'x', tenant_id: 'acme' }).sort()).toEqual(['ep_1', 'ep_2']);
  });

  it('reports a filter made invalid by a change, and forgets it once fixed', () => {
    const bad = new SubscriptionIndex([endpoint('ep_ok')]).withChanges([endpoint('ep_bad', { filter: { amount: { $between: [1, 2] } } })]);
    expect(bad.invalidFilters).toEqual([{ id: 'ep_bad', reason: expect.any(String) }]);
    expect(bad.match({ type: 'x', data: { amount: 1 } })).toEqual(['ep_ok']);
    expect(bad.withChanges([endpoint('ep_bad', { filter: { amount: 1 } })]).invalidFilters).toEqual([]);
  });

  it('stays fast with many endpoints', () => {
    const endpoints = Array.from({ length: 50_000 }, (_, i) => endpoint(`ep_${i}`, { event_types: [`type${i}.created`, `group${i % 100}.*`] }));
    const index = new SubscriptionIndex(endpoints);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) index.match({ type: `type${i}.created` });
    expect(performance.now() - started).toBeLessThan(500);
    expect(index.match({ type: 'type7.created' })).toEqual(['ep_7']);
    expect(index.match({ type: 'group3.a.b' })).toHaveLength(500);
  });
});

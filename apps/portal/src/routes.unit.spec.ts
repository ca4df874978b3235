import { href, parseRoute } from './routes';

describe('portal routes', () => {
  it.each([
    ['', { page: 'endpoints' }],
    ['#/endpoints', { page: 'endpoints' }],
    ['#/endpoints/new', { page: 'new-endpoint' }],
    ['#/endpoints/ep_1', { page: 'endpoint', id: 'ep_1', tab: 'overview' }],
    ['#/endpoints/ep_1/secret', { page: 'endpoint', id: 'ep_1', tab: 'secret' }],
    ['#/endpoints/ep_1/unknown', { page: 'endpoint', id: 'ep_1', tab: 'overview' }],
    ['#/endpoints/ep_1/edit', { page: 'edit-endpoint', id: 'ep_1' }],
    ['#/deliveries/dlv_1', { page: 'delivery', id: 'dlv_1' }],
    ['#token=hlp_x', { page: 'endpoints' }],
  ])('reads %s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('round-trips ids that need escaping', () => {
    const id = 'ep_a/b c';
    expect(parseRoute(href('endpoints', id, 'health'))).toEqual({ page: 'endpoint', id, tab: 'health' });
  });
});

import { incomingEvents } from './incoming-events';

const SRC = 'src_01JD0000000000000000000000';

describe('the events a verified request carries', () => {
  it('GitHub: one github.<event>, identified by X-GitHub-Delivery', () => {
    expect(incomingEvents('github', SRC, { 'x-github-event': 'push', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, { ref: 'main' }, '{}')).toEqual({
      events: [{ id: `${SRC}:72d3162e-cc78-11e3-81ab-4c9367dc0958`, type: 'github.push', data: { ref: 'main' }, delivery_id: '72d3162e-cc78-11e3-81ab-4c9367dc0958' }],
    });
    expect(incomingEvents('github', SRC, { 'x-github-event': 'push' }, {}, '{}')).toEqual({ invalid: 'the X-GitHub-Delivery header is missing', field: 'X-GitHub-Delivery' });
  });

  it('HubSpot: one hubspot.<subscriptionType> per element, each by its eventId', () => {
    const batch = [{ eventId: 1, subscriptionType: 'contact.creation', objectId: 9 }, { eventId: 2, subscriptionType: 'deal.propertyChange' }];
    const result = incomingEvents('hubspot', SRC, {}, batch, '');
    expect('events' in result && result.events.map(({ id, type }) => ({ id, type }))).toEqual([
      { id: `${SRC}:1`, type: 'hubspot.contact.creation' }, { id: `${SRC}:2`, type: 'hubspot.deal.propertyChange' },
    ]);
    expect(incomingEvents('hubspot', SRC, {}, { eventId: 1 }, '')).toMatchObject({ field: 'body' });
    expect(incomingEvents('hubspot', SRC, {}, [{ subscriptionType: 'x' }], '')).toMatchObject({ field: '[0].eventId' });
  });

  it('Stripe: stripe.<type> by the event id; Standard Webhooks: the body type by webhook-id', () => {
    expect(incomingEvents('stripe', SRC, {}, { id: 'evt_1', type: 'invoice.paid' }, '')).toMatchObject({ events: [{ id: `${SRC}:evt_1`, type: 'stripe.invoice.paid' }] });
    expect(incomingEvents('standard', SRC, { 'webhook-id': 'msg_9' }, { type: 'order.shipped' }, '')).toMatchObject({ events: [{ id: `${SRC}:msg_9`, type: 'order.shipped' }] });
    expect(incomingEvents('standard', SRC, { 'webhook-id': 'msg_9' }, { type: 'bad type!' }, '')).toMatchObject({ field: 'type' });
  });

  it('hmac-hex: without webhook-id the same body is the same delivery', () => {
    const a = incomingEvents('hmac-hex', SRC, { 'x-webhook-event': 'ping' }, { n: 1 }, '{"n":1}');
    const b = incomingEvents('hmac-hex', SRC, { 'x-webhook-event': 'ping' }, { n: 1 }, '{"n":1}');
    expect(a).toEqual(b);
    expect('events' in a && a.events[0].id).toMatch(new RegExp(`^${SRC}:sha256-[0-9a-f]{64}$`));
  });

  it('a delivery id that is no valid message id is identified by its digest', () => {
    expect(incomingEvents('standard', SRC, { 'webhook-id': 'a b/c' }, { type: 't' }, '')).toMatchObject({ events: [{ id: expect.stringMatching(/:sha256-/), delivery_id: 'a b/c' }] });
  });
});

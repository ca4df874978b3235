import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { isPublicAddress } from '@hookledger/domain';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * The system as deployed: private networks NOT allowed (TestSystem allows them by default), plain
 * http allowed so loopback receivers can stand in, and one allow-listed range.
 */
describe('SSRF guard (HOOKS_ALLOW_PRIVATE_NETWORKS=false)', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({ env: { HOOKS_ALLOW_PRIVATE_NETWORKS: 'false', HOOKS_ALLOW_HTTP: 'true', HOOKS_SSRF_ALLOW_CIDRS: '127.0.0.2/32' } });
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  const forbidden = () => [
    [receiver.url('/'), 'a loopback address (127.0.0.1)'],
    [`http://0x7f000001:${receiver.port}/`, 'a loopback address (127.0.0.1)'],
    [`http://localhost:${receiver.port}/`, 'a loopback name (localhost)'],
    [`http://[::1]:${receiver.port}/`, 'a loopback address (::1)'],
    [`http://[::ffff:127.0.0.1]:${receiver.port}/`, 'a loopback address (::ffff:7f00:1)'],
    [`http://0.0.0.0:${receiver.port}/`, 'an unspecified address (0.0.0.0)'],
    ['http://169.254.169.254/latest/meta-data/', 'a link-local address (169.254.169.254)'],
    ['http://10.0.0.1/', 'a private address (10.0.0.1)'],
    ['http://100.64.0.1/', 'a carrier-grade NAT address (100.64.0.1)'],
    ['http://[fd00::1]/', 'a unique-local address (fd00::1)'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'a NAT64 address (64:ff9b::a9fe:a9fe)'],
    ['http://[2002:7f00:1::]/', 'a 6to4 address (2002:7f00:1::)'],
  ];

  // Other spellings of 127.0.0.1: the URL is parsed as the dispatcher parses it, so each reaches the address check.
  const respelled = () => [`http://2130706433:${receiver.port}/`, `http://0x7f.1:${receiver.port}/`, `http://0177.0.0.1:${receiver.port}/`, `http://127.1:${receiver.port}/`];

  it('refuses endpoints on literal non-public addresses, in every spelling, with 422 naming url and the reason', async () => {
    for (const [url, reason] of forbidden()) {
      const answer = await system.request('POST', '/v1/endpoints', { body: { url } });
      expect({ url, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ url, status: 422, type: expect.stringContaining('application/problem+json') });
      expect(answer.body.errors).toEqual([{ field: 'url', message: expect.stringContaining(`url is ${reason}; Hookledger only delivers to public addresses`) }]);
    }
    for (const url of respelled()) {
      const answer = await system.request('POST', '/v1/endpoints', { body: { url } });
      expect({ url, status: answer.status, errors: answer.body.errors }).toEqual({
        url, status: 422, errors: [{ field: 'url', message: expect.stringContaining('url is a loopback address (127.0.0.1)') }],
      });
    }
    const withCredentials = await system.request('POST', '/v1/endpoints', { body: { url: 'https://user:secret@hooks.example.com/in' } });
    expect(withCredentials).toMatchObject({ status: 400, body: { errors: [{ field: 'url', message: expect.stringContaining('must not carry credentials') }] } });
    expect(receiver.connections).toBe(0);
  });

  it('refuses the same when a URL is changed, and for an ad-hoc destination', async () => {
    const created = await system.request('POST', '/v1/endpoints', { body: { url: 'https://hooks.example.com/in' } });
    expect(created.status).toBe(201);
    const patched = await system.request('PATCH', `/v1/endpoints/${created.body.id}`, { body: { url: 'http://0xa9fea9fe/' } });
    expect(patched).toMatchObject({ status: 422, body: { errors: [{ field: 'url', message: expect.stringContaining('a link-local address (169.254.169.254)') }] } });
    expect((await system.request('GET', `/v1/endpoints/${created.body.id}`)).body.url).toBe('https://hooks.example.com/in');

    const adhoc = await system.request('POST', '/v1/events', { body: { type: 'order.shipped', data: {}, destination: { url: receiver.url('/adhoc') } } });
    expect(adhoc).toMatchObject({ status: 422, body: { errors: [{ field: 'destination.url', message: expect.stringContaining('a loopback address (127.0.0.1)') }] } });
  });

  it('accepts an address HOOKS_SSRF_ALLOW_CIDRS covers', async () => {
    expect((await system.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.2:1/' } })).status).toBe(201);
  });

  it('checks a name when connecting: a name resolving to a non-public address gets an attempt recorded as address_blocked, and nothing else', async () => {
    // The machine's own name passes creation (a name), and resolves here to a non-public address (127.0.0.1 on most hosts).
    const name = hostname();
    const addresses = await lookup(name, { all: true });
    // The test needs the usual /etc/hosts entry for the machine's name; say so plainly where it is missing.
    expect({ host: name, nonPublic: addresses.every(({ address }) => !isPublicAddress(address)) }).toEqual({ host: name, nonPublic: true });
    const url = `http://${name}:${receiver.port}/named`;
    const created = await system.request('POST', '/v1/endpoints', { body: { url, event_types: ['named.test'], retry_schedule: [] } });
    expect({ addresses, status: created.status }).toMatchObject({ status: 201 });

    const event = await system.request('POST', '/v1/events', { body: { type: 'named.test', data: {} } });
    expect(event.status).toBe(202);
    const delivery = await eventually(async () => {
      const found = (await system.request('GET', `/v1/deliveries?event_id=${event.body.id}&endpoint_id=${created.body.id}`)).body.data;
      return found[0]?.status === 'failed' ? found[0] : undefined;
    }, 'the delivery to fail');
    const attempts = (await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
    // The name the user gave, never what it resolved to: the error must not map the internal network.
    const blocked = `refusing to connect to ${name}: non-public address`;
    expect(attempts).toEqual([expect.objectContaining({ status_code: null, outcome: 'address_blocked', error: blocked })]);

    const tested = await system.request('POST', `/v1/endpoints/${created.body.id}/test`, { body: {} });
    expect(tested).toMatchObject({ status: 200, body: { success: false, status_code: null, error: blocked } });
    const answers = JSON.stringify([attempts, tested.body]);
    for (const { address } of addresses) expect({ address, answers }).toEqual({ address, answers: expect.not.stringContaining(address) });
    expect(receiver.connections).toBe(0);
  });
});

import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/** Literals of non-public IPv4 and IPv6 addresses: loopback, private, link-local, unique-local, unspecified. */
const PRIVATE_ADDRESS = /(?<![\d.])(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3}|0\.0\.0\.0)(?![\d.])|(?<![0-9a-f:])(::1|::ffff:[0-9a-f.:]+|f[cd][0-9a-f]{2}:[0-9a-f:]+|fe80:[0-9a-f:]*)(?![0-9a-f:])/i;

/**
 * The address_blocked class: a name that resolves to an internal address is refused, and nothing the
 * API answers tells a tenant which address the name resolved to — or the API is a map of the
 * internal network, one guessed name at a time. Only what the user typed may come back.
 */
describe('no internal-network oracle (HOOKS_ALLOW_PRIVATE_NETWORKS=false)', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start({ env: { HOOKS_ALLOW_PRIVATE_NETWORKS: 'false', HOOKS_ALLOW_HTTP: 'true' } });
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('names no address a blocked name resolved to, in any problem answer, test answer, attempt or delivery', async () => {
    // The machine's own name passes creation (a name) and resolves to a non-public address here (see ssrf.e2e.spec.ts).
    const name = hostname();
    const resolved = (await lookup(name, { all: true })).map(({ address }) => address);
    expect(resolved.every((address) => PRIVATE_ADDRESS.test(address))).toBe(true);
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: `http://${name}:${receiver.port}/internal`, event_types: ['internal.probe'], retry_schedule: [] } });
    expect(endpoint.status).toBe(201);

    const seen: [string, unknown][] = [];
    const tested = await system.request('POST', `/v1/endpoints/${endpoint.body.id}/test`, { body: { event_type: 'internal.probe' } });
    seen.push(['POST /v1/endpoints/{id}/test', tested.body]);
    const event = await system.request('POST', '/v1/events', { body: { type: 'internal.probe', data: {} } });
    expect(event.status).toBe(202);
    const delivery = await eventually(async () => {
      const found = (await system.request('GET', `/v1/deliveries?event_id=${event.body.id}`)).body.data;
      return found[0]?.status === 'failed' ? found[0] : undefined;
    }, 'the delivery to the blocked name to fail');
    const attempts = await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`);
    expect(attempts.body.data).toEqual([expect.objectContaining({ outcome: 'address_blocked' })]);
    seen.push(['GET /v1/deliveries/{id}/attempts', attempts.body], ['GET /v1/deliveries/{id}', (await system.request('GET', `/v1/deliveries/${delivery.id}`)).body],
      ['GET /v1/deliveries', (await system.request('GET', `/v1/deliveries?endpoint_id=${endpoint.body.id}`)).body],
      ['GET /v1/endpoints/{id}/health', (await system.request('GET', `/v1/endpoints/${endpoint.body.id}/health`)).body]);
    // A retry of the failed delivery answers too (a problem or an acceptance); its attempt joins the list.
    seen.push(['POST /v1/deliveries/{id}/retry', (await system.request('POST', `/v1/deliveries/${delivery.id}/retry`, { body: {} })).body]);

    const leaks = seen.map(([where, body]) => [where, JSON.stringify(body).match(PRIVATE_ADDRESS)?.[0]] as const).filter(([, address]) => address !== undefined);
    console.info(`internal-address class: ${seen.length} answers read about ${name} (resolves to ${resolved.length} non-public addresses)`);
    expect(leaks).toEqual([]);
    expect(receiver.connections).toBe(0);
  });
});

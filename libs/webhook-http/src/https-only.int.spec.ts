import { freePort, WebhookReceiver } from '@hookledger/testing';
import { WebhookSender } from './webhook-sender';

const send = (sender: WebhookSender, url: string) => sender.send({ url, headers: {}, body: '{}', timeoutMs: 2000 });

/**
 * HOOKS_ALLOW_HTTP=false at send time: the API refuses http:// URLs, but an endpoint stored while
 * http was allowed keeps its URL, so the sender refuses it too, before any connection.
 */
describe('WebhookSender with allowHttp: false', () => {
  let receiver: WebhookReceiver;
  let sender: WebhookSender;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Private networks allowed, so the scheme is the only thing standing between the sender and the receiver.
    sender = new WebhookSender({ allowPrivateNetworks: true, allowHttp: false, userAgent: 'Hookledger/0.1.0' });
  });
  afterAll(async () => {
    await sender.close();
    await receiver.close();
  });

  it('refuses an http:// URL, in any case, like an SSRF refusal, and the receiver sees no connection', async () => {
    for (const url of [receiver.url('/hooks'), receiver.url('/hooks').replace('http://', 'HTTP://')]) {
      expect({ url, ...(await send(sender, url)) }).toEqual({
        url,
        statusCode: null,
        retryAfter: null,
        responseBody: null,
        durationMs: expect.any(Number),
        error: {
          code: 'address_blocked',
          message: `refusing to send to http://127.0.0.1:${receiver.port}: plain http is not allowed, only https (HOOKS_ALLOW_HTTP is off)`,
        },
      });
    }
    expect({ requests: receiver.requests.length, connections: receiver.connections }).toEqual({ requests: 0, connections: 0 });
  });

  it('still tries an https:// URL', async () => {
    const port = await freePort(); // nothing listens on it: the attempt gets as far as connecting
    expect(await send(sender, `https://127.0.0.1:${port}/`)).toMatchObject({ statusCode: null, error: { code: 'connection_refused' } });
  });

  it('sends to the same receiver when http is allowed (development)', async () => {
    const permissive = new WebhookSender({ allowPrivateNetworks: true, allowHttp: true, userAgent: 'Hookledger/0.1.0' });
    try {
      expect(await send(permissive, receiver.url('/allowed'))).toMatchObject({ statusCode: 200, error: null });
    } finally {
      await permissive.close();
    }
    expect(receiver.received('/allowed')).toHaveLength(1);
  });
});

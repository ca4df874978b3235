import { WebhookReceiver } from '@hookledger/testing';
import { WebhookSender } from './webhook-sender';

describe('WebhookSender SSRF guard (allowPrivateNetworks: false)', () => {
  let sender: WebhookSender;
  let loopback: WebhookReceiver;

  beforeAll(async () => {
    sender = new WebhookSender({ allowPrivateNetworks: false, userAgent: 'Hookledger/0.1.0' });
    loopback = await WebhookReceiver.start({ respond: (_, res) => res.writeHead(200).end('reached') });
  });
  afterAll(async () => {
    await sender.close();
    await loopback.close();
  });

  const targets = () => [
    `http://127.0.0.1:${loopback.port}/`,
    `http://localhost:${loopback.port}/`,
    `http://[::1]:${loopback.port}/`,
    `http://0.0.0.0:${loopback.port}/`,
    `http://2130706433:${loopback.port}/`,
    `http://0x7f.1:${loopback.port}/`,
    `http://[::ffff:127.0.0.1]:${loopback.port}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[64:ff9b::7f00:1]/',
    'https://127.0.0.1/',
  ];

  it('refuses every non-public target with address_blocked, and the loopback receiver sees nothing', async () => {
    for (const url of targets()) {
      const response = await sender.send({ url, headers: {}, body: '{}', timeoutMs: 2000 });
      expect({ url, ...response }).toMatchObject({ url, statusCode: null, responseBody: null, error: { code: 'address_blocked' } });
    }
    expect(loopback.connections).toBe(0);
    expect(loopback.requests).toHaveLength(0);
  });

  it('says which address a name resolved to', async () => {
    const response = await sender.send({ url: `http://localhost:${loopback.port}/`, headers: {}, body: '{}', timeoutMs: 2000 });
    expect(response.error?.message).toMatch(/localhost.*(127\.0\.0\.1|::1)/);
  });

  it('lets the same receiver be reached when private networks are allowed (development)', async () => {
    const permissive = new WebhookSender({ allowPrivateNetworks: true, userAgent: 'Hookledger/0.1.0' });
    try {
      const response = await permissive.send({ url: `http://localhost:${loopback.port}/`, headers: {}, body: '{}', timeoutMs: 2000 });
      expect(response).toMatchObject({ statusCode: 200, responseBody: 'reached' });
    } finally {
      await permissive.close();
    }
  });
});

import { LookupAddress } from 'node:dns';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Resolve } from './guarded-connector';
import { WebhookSender } from './webhook-sender';

/** A real HTTP server on a loopback address that counts every connection made to it. */
interface CountingServer {
  readonly host: string;
  readonly port: number;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

async function listen(host: string, port = 0, respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(200).end('reached')): Promise<CountingServer | null> {
  const server = createServer((req, res) => {
    counting.requests++;
    respond(req, res);
  });
  const counting: CountingServer = {
    host,
    port: 0,
    connections: 0,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => counting.connections++);
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (!listening) return null; // e.g. no IPv6 loopback in this container
  return Object.assign(counting, { port: (server.address() as AddressInfo).port });
}

/** A stand-in DNS server: each name answers from its list, one answer per lookup (the last repeats). */
function dnsAnswering(answers: Record<string, readonly (readonly string[])[]>): Resolve & { lookups: string[] } {
  const lookups: string[] = [];
  const resolve = (hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    const rounds = answers[hostname];
    if (!rounds) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const round = rounds[Math.min(lookups.filter((name) => name === hostname).length, rounds.length - 1)];
    lookups.push(hostname);
    callback(null, round.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return Object.assign(resolve, { lookups });
}

const send = (sender: WebhookSender, url: string) => sender.send({ url, headers: {}, body: '{}', timeoutMs: 3000 });

describe('WebhookSender SSRF guard (allowPrivateNetworks: false)', () => {
  let servers: CountingServer[];
  let v4: CountingServer;
  let second: CountingServer;
  let v6: CountingServer | null;
  let sender: WebhookSender;
  let named: WebhookSender;

  beforeAll(async () => {
    v4 = (await listen('127.0.0.1'))!;
    second = (await listen('127.0.0.2'))!;
    v6 = await listen('::1');
    servers = [v4, second, ...(v6 ? [v6] : [])];
    sender = new WebhookSender({ allowPrivateNetworks: false, allowHttp: true, userAgent: 'Hookledger/0.1.0' });
    named = new WebhookSender({
      allowPrivateNetworks: false,
      allowHttp: true,
      userAgent: 'Hookledger/0.1.0',
      resolve: dnsAnswering({
        'loopback.test': [['127.0.0.1']],
        'second.test': [['127.0.0.2']],
        'split.test': [['93.184.216.34', '127.0.0.1']],
        'ipv6.test': [['::1']],
        'mapped.test': [['::ffff:127.0.0.1']],
        'metadata.test': [['169.254.169.254']],
        'nat64.test': [['64:ff9b::7f00:1']],
      }),
    });
  });
  afterAll(async () => {
    await Promise.all([sender.close(), named.close(), ...servers.map((server) => server.close())]);
  });

  const literalTargets = () => [
    `http://127.0.0.1:${v4.port}/`,
    `https://127.0.0.1:${v4.port}/`,
    `http://127.1:${v4.port}/`,
    `http://2130706433:${v4.port}/`,
    `http://0x7f000001:${v4.port}/`,
    `http://0x7f.1:${v4.port}/`,
    `http://0177.0.0.1:${v4.port}/`,
    `http://0.0.0.0:${v4.port}/`,
    `http://0:${v4.port}/`,
    `http://[::ffff:127.0.0.1]:${v4.port}/`,
    `http://[64:ff9b::7f00:1]:${v4.port}/`,
    `http://[2002:7f00:1::]:${v4.port}/`,
    `http://[::127.0.0.1]:${v4.port}/`,
    `http://127.0.0.2:${second.port}/`,
    `http://2130706434:${second.port}/`,
    `http://[::ffff:7f00:2]:${second.port}/`,
    ...(v6 ? [`http://[::1]:${v6.port}/`, `http://[0:0:0:0:0:0:0:1]:${v6.port}/`] : []),
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
  ];

  // Names resolved by the machine's own resolver, then by the stand-in DNS server.
  const nameTargets = (): [WebhookSender, string][] => [
    [sender, `http://localhost:${v4.port}/`],
    [named, `http://loopback.test:${v4.port}/`],
    [named, `http://second.test:${second.port}/`],
    [named, `http://split.test:${v4.port}/`],
    [named, `http://mapped.test:${v4.port}/`],
    [named, `http://nat64.test:${v4.port}/`],
    [named, 'http://metadata.test/latest/meta-data/'],
    ...(v6 ? [[named, `http://ipv6.test:${v6.port}/`] as [WebhookSender, string]] : []),
  ];

  it('refuses every literal non-public address, in every spelling, and no server sees a connection', async () => {
    const targets = literalTargets();
    expect(targets.length).toBeGreaterThanOrEqual(24);
    for (const url of targets) {
      const response = await send(sender, url);
      expect({ url, ...response }).toMatchObject({ url, statusCode: null, responseBody: null, error: { code: 'address_blocked' } });
    }
    expect(servers.map((server) => server.connections)).toEqual(servers.map(() => 0));
  });

  it('refuses every name that resolves to a non-public address, and no server sees a connection', async () => {
    for (const [client, url] of nameTargets()) {
      const response = await send(client, url);
      expect({ url, ...response }).toMatchObject({ url, statusCode: null, error: { code: 'address_blocked' } });
    }
    expect(servers.map((server) => server.connections)).toEqual(servers.map(() => 0));
  });

  it('names the host it was given and never the address a name resolved to (no internal-network oracle)', async () => {
    const resolvedTo = ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '64:ff9b::7f00:1', '169.254.169.254', '93.184.216.34'];
    for (const [client, url] of nameTargets()) {
      const { hostname } = new URL(url);
      const message = (await send(client, url)).error?.message ?? '';
      expect({ url, message }).toEqual({ url, message: `refusing to connect to ${hostname}: non-public address` });
      for (const address of resolvedTo) expect({ url, message }).toEqual({ url, message: expect.not.stringContaining(address) });
    }
  });

  it('lets the same server be reached when private networks are allowed (development)', async () => {
    const permissive = new WebhookSender({ allowPrivateNetworks: true, allowHttp: true, userAgent: 'Hookledger/0.1.0' });
    try {
      expect(await send(permissive, `http://localhost:${v4.port}/`)).toMatchObject({ statusCode: 200, responseBody: 'reached' });
    } finally {
      await permissive.close();
    }
  });
});

describe('WebhookSender SSRF guard with an allow-list (HOOKS_SSRF_ALLOW_CIDRS)', () => {
  let forbidden: CountingServer;
  let allowed: CountingServer;

  beforeAll(async () => {
    forbidden = (await listen('127.0.0.1'))!;
    // Same port on another loopback address, so one URL can lead to either.
    allowed = (await listen('127.0.0.2', forbidden.port, (req, res) => {
      if (req.url === '/redirect') return res.writeHead(302, { location: `http://127.0.0.1:${forbidden.port}/` }).end();
      res.writeHead(200, { connection: 'close' }).end('allowed');
    }))!;
  });
  afterAll(async () => {
    await Promise.all([forbidden.close(), allowed.close()]);
  });

  it('reaches an allow-listed address, and nothing outside it', async () => {
    const sender = new WebhookSender({ allowPrivateNetworks: false, allowHttp: true, allowCidrs: ['127.0.0.2/32'], userAgent: 'Hookledger/0.1.0' });
    try {
      expect(await send(sender, `http://127.0.0.2:${allowed.port}/`)).toMatchObject({ statusCode: 200, responseBody: 'allowed' });
      expect(await send(sender, `http://127.0.0.1:${forbidden.port}/`)).toMatchObject({ statusCode: null, error: { code: 'address_blocked' } });
    } finally {
      await sender.close();
    }
    expect(forbidden.connections).toBe(0);
  });

  it('checks a name at every connection: a DNS answer rebound to a forbidden address is never connected to', async () => {
    const resolve = dnsAnswering({ 'rebind.test': [['127.0.0.2'], ['127.0.0.1']] });
    const sender = new WebhookSender({ allowPrivateNetworks: false, allowHttp: true, allowCidrs: ['127.0.0.2/32'], userAgent: 'Hookledger/0.1.0', resolve });
    try {
      const url = `http://rebind.test:${allowed.port}/`;
      // The allowed server closes each connection, so the second request needs a new one, and a new lookup.
      expect(await send(sender, url)).toMatchObject({ statusCode: 200, responseBody: 'allowed' });
      expect(await send(sender, url)).toMatchObject({ statusCode: null, error: { code: 'address_blocked', message: 'refusing to connect to rebind.test: non-public address' } });
    } finally {
      await sender.close();
    }
    expect(resolve.lookups).toEqual(['rebind.test', 'rebind.test']);
    expect(forbidden.connections).toBe(0);
  });

  it('never follows a redirect, even from an allowed server to a forbidden one', async () => {
    const sender = new WebhookSender({ allowPrivateNetworks: false, allowHttp: true, allowCidrs: ['127.0.0.2/32'], userAgent: 'Hookledger/0.1.0' });
    const before = allowed.requests;
    try {
      expect(await send(sender, `http://127.0.0.2:${allowed.port}/redirect`)).toMatchObject({ statusCode: 302, error: null });
    } finally {
      await sender.close();
    }
    expect(allowed.requests - before).toBe(1);
    expect(forbidden.connections).toBe(0);
  });
});

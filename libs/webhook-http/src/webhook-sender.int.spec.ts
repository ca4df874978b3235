import { ServerResponse } from 'node:http';
import { freePort, RawResponder, WebhookReceiver } from '@hookledger/testing';
import { WebhookSender } from './webhook-sender';

const BODY = '{"id":"msg_1","type":"invoice.paid","timestamp":"2024-01-01T00:00:00.000Z","data":{"amount":1200}}';
const HEADERS = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1704067200', 'webhook-signature': 'v1,abc=' };

describe('WebhookSender', () => {
  let sender: WebhookSender;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (respond: RawResponder) => {
    const started = await WebhookReceiver.start({ respond });
    receivers.push(started);
    return started;
  };
  const send = (url: string, timeoutMs = 2000) => sender.send({ url, headers: HEADERS, body: BODY, timeoutMs });

  beforeEach(() => {
    sender = new WebhookSender({ allowPrivateNetworks: true, allowHttp: true, userAgent: 'Hookledger/0.1.0' });
  });
  afterEach(async () => {
    await sender.close();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('POSTs the signed body and records a 2xx answer with its body', async () => {
    const target = await receiver((_, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks ✓'));

    const response = await send(target.url('/hooks?tenant=acme'));

    expect(response).toEqual({ statusCode: 200, retryAfter: null, responseBody: 'thanks ✓', durationMs: expect.any(Number), error: null });
    expect(target.requests).toEqual([
      {
        method: 'POST',
        url: '/hooks?tenant=acme',
        path: '/hooks',
        body: BODY,
        headers: expect.objectContaining({ ...HEADERS, 'content-type': 'application/json', 'user-agent': 'Hookledger/0.1.0' }),
        receivedAt: expect.any(Number),
      },
    ]);
  });

  it('records a 500 with its body, and Retry-After when given', async () => {
    const failing = await receiver((_, res) => res.writeHead(500).end('boom'));
    expect(await send(failing.url())).toMatchObject({ statusCode: 500, responseBody: 'boom', error: null });

    const limited = await receiver((_, res) => res.writeHead(429, { 'retry-after': '30' }).end());
    expect(await send(limited.url())).toMatchObject({ statusCode: 429, retryAfter: '30', responseBody: '' });
  });

  it('never follows a redirect', async () => {
    const elsewhere = await receiver((_, res) => res.writeHead(200).end());
    const redirecting = await receiver((_, res) => res.writeHead(302, { location: elsewhere.url('/stolen') }).end());

    expect(await send(redirecting.url())).toMatchObject({ statusCode: 302, error: null });
    expect(elsewhere.requests).toHaveLength(0);
    expect(elsewhere.connections).toBe(0);
  });

  it('gives up on a receiver that never answers after about timeoutMs', async () => {
    const hanging = await receiver(() => undefined);

    const response = await send(hanging.url(), 300);

    expect(response).toMatchObject({ statusCode: null, responseBody: null, error: { code: 'timeout' } });
    expect(response.durationMs).toBeGreaterThanOrEqual(290);
    expect(response.durationMs).toBeLessThan(1300);
  });

  it('keeps the status when the body stalls past the deadline', async () => {
    const stalling = await receiver((_, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });

    const response = await send(stalling.url(), 300);

    expect(response).toMatchObject({ statusCode: 200, responseBody: 'partial', error: { code: 'timeout' } });
    expect(response.durationMs).toBeLessThan(1300);
  });

  it('reports a closed port as connection_refused', async () => {
    const port = await freePort(); // nothing listens on it
    expect(await send(`http://127.0.0.1:${port}/`)).toMatchObject({ statusCode: null, error: { code: 'connection_refused' } });
  });

  it('reports a receiver that drops the connection as connection_reset', async () => {
    const dropping = await receiver((req) => req.socket.destroy());
    expect(await send(dropping.url())).toMatchObject({ statusCode: null, error: { code: 'connection_reset' } });
  });

  it('keeps only the first 4 KiB of a 10 MB answer and stops reading', async () => {
    const TEN_MB = 10 * 1024 * 1024;
    let written = 0;
    let finished: Promise<boolean> = Promise.resolve(false);
    const huge = await receiver((_, res) => {
      finished = new Promise((resolve) => {
        res.on('close', () => resolve(res.writableFinished));
        res.writeHead(200, { 'content-length': String(TEN_MB) });
        writeAll(res, TEN_MB, (n) => (written += n));
      });
    });

    const response = await send(huge.url(), 5000);

    expect(response.statusCode).toBe(200);
    expect(response.error).toBeNull();
    expect(Buffer.byteLength(response.responseBody ?? '')).toBe(4096);
    expect(response.responseBody).toBe('x'.repeat(4096));
    expect(await finished).toBe(false);
    expect(written).toBeLessThan(TEN_MB);
  });

  it('drops a UTF-8 character cut by the 4 KiB limit instead of garbling it', async () => {
    const target = await receiver((_, res) => res.writeHead(200).end('a'.repeat(4095) + 'é and more'));
    const response = await send(target.url());
    expect(response.responseBody).toBe('a'.repeat(4095));
  });

  it('reuses keep-alive connections: 20 sequential sends use at most 2', async () => {
    const target = await receiver((_, res) => res.writeHead(204).end());
    for (let i = 0; i < 20; i++) expect(await send(target.url())).toMatchObject({ statusCode: 204 });
    expect(target.requests).toHaveLength(20);
    expect(target.connections).toBeLessThanOrEqual(2);
  });

  it('refuses a URL that is not http(s)', async () => {
    expect(await send('ftp://127.0.0.1/')).toMatchObject({ statusCode: null, error: { code: 'network_error' } });
    expect(await send('not a url')).toMatchObject({ statusCode: null, error: { code: 'network_error' } });
  });
});

/** Writes `total` bytes of "x", respecting back-pressure, until done or the socket closes. */
function writeAll(res: ServerResponse, total: number, onWritten: (bytes: number) => void): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = total;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      const more = res.write(piece);
      onWritten(piece.length);
      if (!more) return void res.once('drain', pump);
    }
    if (left === 0) res.end();
  };
  pump();
}

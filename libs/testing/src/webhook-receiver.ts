import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly method: string;
  /** The request target as sent, query string included. */
  readonly url: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly receivedAt: number;
}

/** How the receiver answers one request: a status (default 200), a body, a delay, or never. */
export interface ReceiverAnswer {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
  readonly hang?: boolean;
}

export type AnswerFn = (request: ReceivedWebhook, countForPath: number) => ReceiverAnswer;

/**
 * Answers every request on the raw response, in place of `answer()`: for the sender's own tests,
 * which need what no well-behaved receiver does (a stalled body, a dropped socket, a flood).
 */
export type RawResponder = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A real HTTP server on 127.0.0.1 standing in for a customer's endpoint: it records every
 * request and answers as the test says, per path, so one receiver can play many endpoints.
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  connections = 0;
  private answers = new Map<string, AnswerFn>();
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly server: Server, readonly port: number, private readonly respond?: RawResponder) {}

  static async start(options: { respond?: RawResponder } = {}): Promise<WebhookReceiver> {
    const server = createServer({ keepAliveTimeout: 30_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port, options.respond);
    server.on('connection', () => receiver.connections++);
    server.on('request', (req, res) => receiver.handle(req, res));
    return receiver;
  }

  /** A URL on this receiver; each distinct path can be given its own answers. */
  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path.startsWith('/') ? path : `/${path}`}`;
  }

  answer(path: string, fn: AnswerFn): void {
    this.answers.set(path, fn);
  }

  received(path?: string): ReceivedWebhook[] {
    return path ? this.requests.filter((request) => request.path === path) : [...this.requests];
  }

  /** Resolves once `predicate` holds over the requests received so far (checked on every arrival). */
  async waitFor(predicate: (requests: readonly ReceivedWebhook[]) => boolean, timeoutMs = 20_000, what = 'the expected webhooks'): Promise<void> {
    if (predicate(this.requests)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate(this.requests)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.requests.length} requests`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  waitForCount(path: string, count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor((requests) => requests.filter((r) => r.path === path).length >= count, timeoutMs, `${count} requests on ${path}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private notifyWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedWebhook = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: (req.url ?? '/').split('?')[0],
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      this.requests.push(request);
      // Answer functions may keep tallies that waitFor() predicates read: run them before the waiters.
      if (this.respond) {
        this.respond(req, res);
        return this.notifyWaiters();
      }
      const count = this.requests.filter((r) => r.path === request.path).length;
      const answer = this.answers.get(request.path)?.(request, count) ?? {};
      this.notifyWaiters();
      if (answer.hang) return; // never answer: the sender must time out
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? 'ok');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  }
}

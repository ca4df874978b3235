import { Agent } from 'undici';
import { DeliveryError, deliveryErrorOf } from './delivery-error';
import { publicOnlyConnector, Resolve } from './guarded-connector';
import { PlainHttpRefusedError } from './plain-http-refused.error';

/** How much of a receiver's answer is kept with the attempt. */
export const RESPONSE_BODY_LIMIT = 4096;

export interface WebhookSenderOptions {
  /** Development and tests only: lets deliveries reach loopback and private networks. */
  readonly allowPrivateNetworks: boolean;
  /** HOOKS_ALLOW_HTTP: when false, an http:// URL is refused before any connection is made. */
  readonly allowHttp: boolean;
  /** CIDR ranges reachable even though they are not public (HOOKS_SSRF_ALLOW_CIDRS). */
  readonly allowCidrs?: readonly string[];
  /** Tests only: resolves names in place of `dns.lookup`. */
  readonly resolve?: Resolve;
  readonly userAgent: string;
  /** Open connections per receiver origin (default 32); more requests queue. */
  readonly maxConnectionsPerOrigin?: number;
}

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Deadline for the whole exchange: connect, headers and the kept part of the body. */
  readonly timeoutMs: number;
}

export interface ReceiverResponse {
  readonly statusCode: number | null;
  readonly retryAfter: string | null;
  /** The first 4 KiB of the answer, decoded as UTF-8. */
  readonly responseBody: string | null;
  readonly durationMs: number;
  readonly error: DeliveryError | null;
}

/**
 * POSTs signed webhooks to receivers over one keep-alive pool per origin. Never follows redirects
 * (undici's Agent does not, and no redirect interceptor is composed in), never reads more of an
 * answer than it keeps, by default never connects to a non-public address, and sends plain http
 * only when allowed.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly options: WebhookSenderOptions) {
    this.agent = new Agent({
      connections: options.maxConnectionsPerOrigin ?? 32,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      connect: options.allowPrivateNetworks ? undefined : publicOnlyConnector({ allowCidrs: options.allowCidrs, resolve: options.resolve }),
    });
  }

  /** The user-agent every request is sent with (it overrides a custom header of that name). */
  get userAgent(): string {
    return this.options.userAgent;
  }

  async send(request: WebhookRequest): Promise<ReceiverResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let statusCode: number | null = null;
    let retryAfter: string | null = null;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    try {
      const url = new URL(request.url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`unsupported URL scheme ${url.protocol}`);
      if (url.protocol === 'http:' && !this.options.allowHttp) throw new PlainHttpRefusedError(url.origin);
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers, 'user-agent': this.options.userAgent },
        body: request.body,
        signal: AbortSignal.timeout(request.timeoutMs),
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      statusCode = response.statusCode;
      retryAfter = headerValue(response.headers['retry-after']);
      // Leaving the loop early destroys the stream (and its socket): the rest of the answer is never read.
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        kept.push(chunk);
        keptBytes += chunk.length;
        if (keptBytes >= RESPONSE_BODY_LIMIT) break;
      }
      return { statusCode, retryAfter, responseBody: decode(kept, keptBytes), durationMs: elapsed(), error: null };
    } catch (error) {
      const failure = deliveryErrorOf(error, request.timeoutMs);
      // The receiver did answer; a body that stalls or breaks afterwards does not undo its status.
      const responseBody = statusCode === null ? null : decode(kept, keptBytes);
      return { statusCode, retryAfter, responseBody, durationMs: elapsed(), error: failure };
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function decode(chunks: Buffer[], total: number): string {
  const bytes = Buffer.concat(chunks, Math.min(total, RESPONSE_BODY_LIMIT));
  // When cut at the limit, drop a trailing partial UTF-8 character rather than invent U+FFFD.
  return new TextDecoder('utf-8').decode(bytes, { stream: total >= RESPONSE_BODY_LIMIT });
}

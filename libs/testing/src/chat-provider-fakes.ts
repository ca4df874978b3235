import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChatProvider = 'slack' | 'discord' | 'telegram';

/** One request a fake received: the path (a Telegram bot token in it as sent), the headers and the parsed JSON body. */
export interface ChatRequestReceived {
  readonly provider: ChatProvider;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
  readonly json: Record<string, unknown> | null;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** Telegram's HTML parse mode's tags (core.telegram.org/bots/api#html-style). */
const TELEGRAM_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/**
 * Slack, Discord and Telegram as one real HTTP server on 127.0.0.1, answering as their APIs do —
 * success bodies, the errors they give for a bad message, and their 429s with the wait where each
 * puts it (Slack's Retry-After header, Discord's `retry_after` and Telegram's
 * `parameters.retry_after` in the JSON body). Paths: `/slack/services/…` (`/slack/services/revoked`
 * is a deleted hook), `/discord/api/webhooks/<id>/<token>` (`…/unknown` is a deleted one),
 * `/telegram/bot<token>/sendMessage` for the bots given to `telegramBot`.
 */
export class ChatProviderFakes {
  readonly requests: ChatRequestReceived[] = [];
  private readonly scripted = new Map<ChatProvider, Answer[]>();
  private readonly bots = new Map<string, Set<string>>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<ChatProviderFakes> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fakes = new ChatProviderFakes(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => fakes.handle(req, res));
    return fakes;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What HOOKS_TELEGRAM_API_URL points at. */
  get telegramApiUrl(): string {
    return `${this.baseUrl}/telegram`;
  }

  slackHookUrl(name = 'T000/B000/XXXX'): string {
    return `${this.baseUrl}/slack/services/${name}`;
  }

  discordHookUrl(name = '1234567890/webhook-token'): string {
    return `${this.baseUrl}/discord/api/webhooks/${name}`;
  }

  /** A bot Telegram knows, with the chats it may post to. */
  telegramBot(token: string, chatIds: readonly string[]): void {
    this.bots.set(token, new Set(chatIds));
  }

  /** The provider's next `times` requests are rate limited, asking for `retryAfterSeconds`. */
  rateLimit(provider: ChatProvider, times: number, retryAfterSeconds = 1): void {
    const answer = RATE_LIMITED[provider](retryAfterSeconds);
    this.scripted.set(provider, [...(this.scripted.get(provider) ?? []), ...Array.from({ length: times }, () => answer)]);
  }

  /** Slack's next request is refused with one of its plain-text errors (`invalid_payload`, `invalid_token`, …). */
  slackRefuses(status: number, error: string): void {
    this.scripted.set('slack', [...(this.scripted.get('slack') ?? []), { status, body: error, headers: { 'content-type': 'text/plain' } }]);
  }

  /** Telegram's next request gets 200 `{"ok": false}`, as it answers some errors. */
  telegramRefusesWith200(description: string): void {
    this.scripted.set('telegram', [...(this.scripted.get('telegram') ?? []), { status: 200, body: JSON.stringify({ ok: false, error_code: 400, description }) }]);
  }

  received(provider: ChatProvider): ChatRequestReceived[] {
    return this.requests.filter((request) => request.provider === provider);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const provider = (['slack', 'discord', 'telegram'] as const).find((name) => path.startsWith(`/${name}/`));
      if (!provider) return send(res, { status: 404, body: 'not found' });
      const json = parse(raw);
      this.requests.push({ provider, path, headers: req.headers, raw, json });
      const scripted = this.scripted.get(provider)?.shift();
      send(res, scripted ?? (provider === 'slack' ? slack(path, json) : provider === 'discord' ? discord(path, json) : this.telegram(path, json)));
    });
  }

  private telegram(path: string, body: Record<string, unknown> | null): Answer {
    const match = /^\/telegram\/bot([^/]+)\/sendMessage$/.exec(path);
    const chats = match ? this.bots.get(decodeURIComponent(match[1])) : undefined;
    if (!chats) return telegramError(401, 'Unauthorized');
    if (!body) return telegramError(400, 'Bad Request: message text is empty');
    if (!chats.has(String(body.chat_id))) return telegramError(400, 'Bad Request: chat not found');
    const text = typeof body.text === 'string' ? body.text : '';
    if (text === '') return telegramError(400, 'Bad Request: message text is empty');
    if (text.length > 4096) return telegramError(400, 'Bad Request: message is too long');
    const parseError = body.parse_mode === 'HTML' ? htmlParseError(text) : null;
    if (parseError) return telegramError(400, `Bad Request: can't parse entities: ${parseError}`);
    return { status: 200, body: JSON.stringify({ ok: true, result: { message_id: this.requests.length, chat: { id: body.chat_id }, text } }) };
  }
}

const RATE_LIMITED: Record<ChatProvider, (seconds: number) => Answer> = {
  slack: (seconds) => ({ status: 429, body: 'rate_limited', headers: { 'retry-after': String(seconds), 'content-type': 'text/plain' } }),
  discord: (seconds) => ({
    status: 429, body: JSON.stringify({ message: 'You are being rate limited.', retry_after: seconds, global: false }),
    headers: { 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': 'user' },
  }),
  telegram: (seconds) => ({
    status: 429, body: JSON.stringify({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${seconds}`, parameters: { retry_after: seconds } }),
  }),
};

function slack(path: string, body: Record<string, unknown> | null): Answer {
  const text = (status: number, message: string): Answer => ({ status, body: message, headers: { 'content-type': 'text/plain' } });
  if (path === '/slack/services/revoked') return text(404, 'no_service');
  if (!body) return text(400, 'invalid_payload');
  if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) return text(400, 'no_text');
  const blocks = (body.blocks ?? []) as { type: string; text?: { text: string }; fields?: { text: string }[] }[];
  const tooLong = blocks.some((block) => (block.text?.text.length ?? 0) > (block.type === 'header' ? 150 : 3000) || (block.fields?.length ?? 0) > 10);
  return tooLong ? text(400, 'invalid_blocks') : text(200, 'ok');
}

function discord(path: string, body: Record<string, unknown> | null): Answer {
  const error = (status: number, message: string, code: number): Answer => ({ status, body: JSON.stringify({ message, code }), headers: { 'content-type': 'application/json' } });
  if (path.split('?')[0].endsWith('/unknown')) return error(404, 'Unknown Webhook', 10015);
  const embeds = (body?.embeds ?? []) as { title?: string; description?: string; fields?: { name: string; value: string }[] }[];
  if (!body || (!body.content && embeds.length === 0)) return error(400, 'Cannot send an empty message', 50006);
  const invalid = embeds.some((embed) => (embed.title?.length ?? 0) > 256 || (embed.description?.length ?? 0) > 4096 || (embed.fields?.length ?? 0) > 25
    || (embed.fields ?? []).some((field) => field.value.length === 0 || field.value.length > 1024 || field.name.length > 256));
  if (invalid) return error(400, 'Invalid Form Body', 50035);
  if (!path.includes('wait=true')) return { status: 204, body: '' };
  return { status: 200, body: JSON.stringify({ id: '1', type: 0, embeds, content: body.content ?? '' }), headers: { 'content-type': 'application/json' } };
}

const telegramError = (code: number, description: string): Answer => ({ status: code, body: JSON.stringify({ ok: false, error_code: code, description }) });

/** What Telegram says of HTML it cannot parse: an unsupported tag, or an `&` that starts no entity. */
function htmlParseError(text: string): string | null {
  for (const match of text.matchAll(/<\/?([a-zA-Z][\w-]*)[^>]*>|<|&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)/g)) {
    if (match[0] === '<') return `Unsupported start tag at byte offset ${match.index}`;
    if (match[0].startsWith('&')) return `Character entity expected at byte offset ${match.index}`;
    if (!TELEGRAM_TAGS.has(match[1].toLowerCase())) return `Unsupported start tag "${match[1]}" at byte offset ${match.index}`;
  }
  return null;
}

function parse(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, answer.headers ?? {});
  res.end(answer.body);
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ChatProviderFakes, TestSystem } from '@hookledger/testing';
import { eventually } from './eventually';

const BOT_TOKEN = '123456:AAH-test-bot-token-never-shown';
const CHAT = '-1001234567890';

/**
 * Slack, Discord and Telegram endpoints through the whole system, against local fakes that answer
 * as those APIs do: the message each renders, event values escaped, rate limits honoured without
 * spending retries, provider errors recorded, and the Telegram bot token in no answer, attempt,
 * log line or database dump.
 */
describe('chat providers as endpoint types', () => {
  let system: TestSystem;
  let fakes: ChatProviderFakes;

  beforeAll(async () => {
    fakes = await ChatProviderFakes.start();
    fakes.telegramBot(BOT_TOKEN, [CHAT, '-42']);
    system = await TestSystem.start({ env: { HOOKS_TELEGRAM_API_URL: fakes.telegramApiUrl } });
  });

  afterAll(async () => {
    await system?.stop();
    await fakes?.stop();
  });

  async function createEndpoint(body: Record<string, unknown>) {
    const created = await system.request('POST', '/v1/endpoints', { body: { retry_schedule: [600], ...body } });
    expect(created.status).toBe(201);
    return created.body as { id: string; type: string; provider: Record<string, string> | null; url: string };
  }

  async function publish(type: string, data: Record<string, unknown>) {
    const accepted = await system.request('POST', '/v1/events', { body: { type, data } });
    expect(accepted.status).toBe(202);
  }

  /** The endpoint's only delivery once it has ended, with its attempts oldest first. */
  async function settled(endpointId: string, status: 'succeeded' | 'failed' = 'succeeded') {
    const delivery = await eventually(async () => {
      const list = await system.request('GET', `/v1/deliveries?endpoint_id=${endpointId}`);
      return list.body.data.find((row: { status: string }) => row.status === status);
    }, `a ${status} delivery to ${endpointId}`);
    const attempts = await system.request('GET', `/v1/deliveries/${delivery.id}/attempts`);
    return { delivery, attempts: [...attempts.body.data].sort((a, b) => a.attempt - b.attempt) as Record<string, unknown>[] };
  }

  describe('Slack', () => {
    it('gets a Block Kit message with its channel, username and icon, event values escaped for mrkdwn', async () => {
      const endpoint = await createEndpoint({
        type: 'slack', url: fakes.slackHookUrl('T1/B1/render'), event_types: ['invoice.*'],
        provider: { channel: '#billing', username: 'Hookledger', icon_emoji: ':moneybag:' },
      });
      expect(endpoint).toMatchObject({ type: 'slack', provider: { channel: '#billing', username: 'Hookledger', icon_emoji: ':moneybag:' }, template: null });

      await publish('invoice.paid', { amount: 4200, customer: 'Tom & <b>Jerry</b>' });

      await settled(endpoint.id);
      const [request] = fakes.received('slack').filter((r) => r.path.endsWith('/render'));
      expect(request.headers['webhook-signature']).toBeUndefined();
      expect(request.json).toMatchObject({ channel: '#billing', username: 'Hookledger', icon_emoji: ':moneybag:', text: expect.stringContaining('invoice.paid') });
      expect(request.json?.blocks).toEqual(expect.arrayContaining([
        { type: 'header', text: { type: 'plain_text', text: 'invoice.paid' } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: '*amount*\n4200' }, { type: 'mrkdwn', text: '*customer*\nTom &amp; &lt;b&gt;Jerry&lt;/b&gt;' }] },
      ]));
    });

    it('a 429 is honoured after its Retry-After, twice, without spending the one retry there is', async () => {
      const endpoint = await createEndpoint({ type: 'slack', url: fakes.slackHookUrl('T1/B1/throttled'), event_types: ['slack.throttled'], template: '{{data.n}} done' });
      fakes.rateLimit('slack', 2, 1);

      await publish('slack.throttled', { n: 3 });

      const { delivery, attempts } = await settled(endpoint.id);
      expect(delivery.attempts).toBe(3);
      expect(attempts.map((a) => [a.status_code, a.outcome])).toEqual([[429, 'rate_limited'], [429, 'rate_limited'], [200, 'http_2xx']]);
      expect(attempts[0].error).toBe('HTTP 429: rate_limited');
    });

    it('its plain-text errors are recorded, and a test send answers with them', async () => {
      const endpoint = await createEndpoint({ type: 'slack', url: fakes.slackHookUrl('revoked'), event_types: ['never.published'] });

      const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ success: false, status_code: 404, error: 'HTTP 404: no_service' });

      const live = await createEndpoint({ type: 'slack', url: fakes.slackHookUrl('T1/B1/refusing'), event_types: ['never.published'] });
      fakes.slackRefuses(400, 'invalid_payload');
      const refused = await system.request('POST', `/v1/endpoints/${live.id}/test`);
      expect(refused.body).toMatchObject({ success: false, status_code: 400, error: 'HTTP 400: invalid_payload' });
      const attempts = await system.request('GET', `/v1/deliveries/${refused.body.delivery_id}/attempts`);
      expect(attempts.body.data[0]).toMatchObject({ outcome: 'http_4xx', error: 'HTTP 400: invalid_payload', response_body: 'invalid_payload' });
    });
  });

  describe('Discord', () => {
    it('gets one embed coloured by outcome, with the data as fields, its username and avatar, no mentions', async () => {
      const endpoint = await createEndpoint({
        type: 'discord', url: fakes.discordHookUrl('1/render'), event_types: ['payment.failed'],
        provider: { username: 'Payments', avatar_url: 'https://cdn.example.com/a.png' },
      });

      await publish('payment.failed', { reason: '@everyone card <declined>', amount: 12 });

      await settled(endpoint.id);
      const [request] = fakes.received('discord').filter((r) => r.path.includes('/1/render'));
      expect(request.path).toContain('wait=true');
      expect(request.json).toMatchObject({
        username: 'Payments', avatar_url: 'https://cdn.example.com/a.png', allowed_mentions: { parse: [] },
        embeds: [{
          title: 'payment.failed', color: 0xed4245,
          fields: [{ name: 'reason', value: '@everyone card <declined>', inline: true }, { name: 'amount', value: '12', inline: true }],
        }],
      });
    });

    it('a 429 comes back after the retry_after in its JSON body without spending a retry; its errors are recorded', async () => {
      const endpoint = await createEndpoint({ type: 'discord', url: fakes.discordHookUrl('1/throttled'), event_types: ['discord.throttled'] });
      fakes.rateLimit('discord', 2, 0.4);

      await publish('discord.throttled', { n: 1 });

      const { attempts } = await settled(endpoint.id);
      expect(attempts.map((a) => [a.status_code, a.outcome, a.error])).toEqual([
        [429, 'rate_limited', 'HTTP 429: You are being rate limited.'], [429, 'rate_limited', 'HTTP 429: You are being rate limited.'], [200, 'http_2xx', null],
      ]);

      const gone = await createEndpoint({ type: 'discord', url: fakes.discordHookUrl('1/unknown'), event_types: ['never.published'] });
      const answer = await system.request('POST', `/v1/endpoints/${gone.id}/test`);
      expect(answer.body).toMatchObject({ success: false, status_code: 404, error: 'HTTP 404: Unknown Webhook (code 10015)' });
    });
  });

  describe('Telegram', () => {
    let telegram: { id: string };

    beforeAll(async () => {
      telegram = await createEndpoint({
        type: 'telegram', event_types: ['order.*'], provider: { bot_token: BOT_TOKEN, chat_id: CHAT },
        template: '<b>{{type}}</b> for {{{data.customer}}}: {{data.note}}',
      });
    });

    it('answers the endpoint without its bot token or a url', async () => {
      const shown = await system.request('GET', `/v1/endpoints/${telegram.id}`);
      expect(shown.body).toMatchObject({ type: 'telegram', url: '', provider: { chat_id: CHAT }, template: '<b>{{type}}</b> for {{{data.customer}}}: {{data.note}}' });
      expect(JSON.stringify(shown.body)).not.toContain(BOT_TOKEN);
    });

    it('gets sendMessage with parse_mode HTML and every event value escaped, even in a triple mustache', async () => {
      await publish('order.created', { customer: '<script>alert(1)</script>', note: 'fish & chips' });

      const { attempts } = await settled(telegram.id);
      const [request] = fakes.received('telegram');
      expect(request.path).toBe(`/telegram/bot${BOT_TOKEN}/sendMessage`);
      expect(request.json).toEqual({
        chat_id: CHAT, parse_mode: 'HTML', text: '<b>order.created</b> for &lt;script&gt;alert(1)&lt;/script&gt;: fish &amp; chips',
      });
      expect(attempts[0]).toMatchObject({ status_code: 200, outcome: 'http_2xx', url: `${fakes.telegramApiUrl}/bot<bot_token>/sendMessage` });
    });

    it('a 429 comes back after parameters.retry_after without spending a retry', async () => {
      const endpoint = await createEndpoint({ type: 'telegram', event_types: ['telegram.throttled'], provider: { bot_token: BOT_TOKEN, chat_id: CHAT } });
      fakes.rateLimit('telegram', 2, 1);

      await publish('telegram.throttled', { n: 1 });

      const { attempts } = await settled(endpoint.id);
      expect(attempts.map((a) => [a.status_code, a.outcome, a.error])).toEqual([
        [429, 'rate_limited', 'Telegram 429: Too Many Requests: retry after 1'], [429, 'rate_limited', 'Telegram 429: Too Many Requests: retry after 1'], [200, 'http_2xx', null],
      ]);
    });

    it('a refusal is recorded with Telegram\'s description, whether it came with 200 {"ok": false} or a 400', async () => {
      const lost = await createEndpoint({ type: 'telegram', event_types: ['never.published'], provider: { bot_token: BOT_TOKEN, chat_id: '-777' } });
      const notFound = await system.request('POST', `/v1/endpoints/${lost.id}/test`);
      expect(notFound.body).toMatchObject({ success: false, status_code: 400, error: 'Telegram 400: Bad Request: chat not found' });

      fakes.telegramRefusesWith200('Bad Request: not enough rights to send text messages to the chat');
      const refused = await system.request('POST', `/v1/endpoints/${telegram.id}/test`);
      expect(refused.body).toMatchObject({ success: false, status_code: 200, error: 'Telegram 400: Bad Request: not enough rights to send text messages to the chat' });
      const attempts = await system.request('GET', `/v1/deliveries/${refused.body.delivery_id}/attempts`);
      expect(attempts.body.data[0]).toMatchObject({ outcome: 'provider_error', status_code: 200 });
    });

    it('markup of a template Telegram cannot parse is its error, recorded', async () => {
      const endpoint = await createEndpoint({
        type: 'telegram', event_types: ['never.published'], provider: { bot_token: BOT_TOKEN, chat_id: CHAT }, template: '<blink>{{type}}</blink>',
      });
      const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);
      expect(answer.body).toMatchObject({ success: false, status_code: 400, error: 'Telegram 400: Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 0' });
    });

    it('a PATCH moves it to another chat keeping the sealed token; a test send goes there', async () => {
      const endpoint = await createEndpoint({ type: 'telegram', event_types: ['never.published'], provider: { bot_token: BOT_TOKEN, chat_id: CHAT } });
      const patched = await system.request('PATCH', `/v1/endpoints/${endpoint.id}`, { body: { provider: { chat_id: '-42' } } });
      expect(patched.body.provider).toEqual({ chat_id: '-42' });

      const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);

      expect(answer.body).toMatchObject({ success: true, status_code: 200, error: null });
      expect(fakes.received('telegram').at(-1)?.json).toMatchObject({ chat_id: '-42', text: expect.stringContaining('webhook.test') });
    });

    it('the bot token is in no answer, attempt, log line or database row', async () => {
      const answers = await Promise.all([
        system.request('GET', '/v1/endpoints?limit=100'), system.request('GET', `/v1/deliveries?endpoint_id=${telegram.id}`),
        system.request('GET', `/v1/audit/deliveries?endpoint_id=${telegram.id}`), system.request('GET', `/v1/audit/streams/endpoint-${telegram.id}`),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      const deliveries = answers[1].body.data as { id: string }[];
      const attempts = await Promise.all(deliveries.map((d) => system.request('GET', `/v1/deliveries/${d.id}/attempts`)));
      for (const answer of [...answers, ...attempts]) expect(JSON.stringify(answer.body)).not.toContain(BOT_TOKEN);
      expect(system.logs()).not.toContain(BOT_TOKEN);
      const { stdout: dump } = await promisify(execFile)('pg_dump', ['--no-owner', system.database.url], { maxBuffer: 256 * 1024 * 1024 });
      expect(dump).toContain(telegram.id);
      expect(dump).not.toContain(BOT_TOKEN);
      expect(dump).not.toContain('AAH-test-bot-token');
    });
  });

  describe('refuses settings that do not fit the type, naming the field', () => {
    it.each([
      [{ type: 'telegram', url: 'https://api.telegram.org/bot1/sendMessage', provider: { bot_token: BOT_TOKEN, chat_id: CHAT } }, 'url'],
      [{ type: 'telegram', provider: { chat_id: CHAT } }, 'provider.bot_token'],
      [{ type: 'telegram' }, 'provider'],
      [{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X', signature_profile: 'github' }, 'signature_profile'],
      [{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X', provider: { avatar_url: 'https://x.example/a.png' } }, 'provider.avatar_url'],
      [{ type: 'discord', url: 'https://discord.com/api/webhooks/1/x', template: '{{#data}}unclosed' }, 'template'],
      [{ url: 'https://receiver.example/hooks', provider: { channel: '#x' } }, 'provider'],
    ])('%j → 422 naming %s', async (body, field) => {
      const answer = await system.request('POST', '/v1/endpoints', { body });
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it('the type is fixed at creation', async () => {
      const endpoint = await createEndpoint({ type: 'slack', url: fakes.slackHookUrl('T1/B1/fixed') });
      const answer = await system.request('PATCH', `/v1/endpoints/${endpoint.id}`, { body: { type: 'discord' } });
      expect(answer.status).toBe(400);
    });
  });
});

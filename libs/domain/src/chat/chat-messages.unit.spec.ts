import { chatRequest, REDACTED_BOT_TOKEN } from './chat-request';
import { renderTemplate, templateRefusal, truncate } from './chat-template';
import { DISCORD_COLOURS, discordMessage } from './discord-message';
import { escapeSlack, slackMessage } from './slack-message';
import { escapeTelegramHtml, telegramMessage } from './telegram-message';

const event = {
  id: 'msg_1', type: 'invoice.paid', timestamp: new Date('2026-01-02T03:04:05.000Z'),
  data: { amount: 4200, customer: 'Tom & Jerry <script>alert(1)</script>', paid: true },
};

describe('Slack Block Kit message', () => {
  it('shows the event type as a header, the data fields and the id, with channel, username and icon', () => {
    const message = slackMessage(event, { channel: '#billing', username: 'Hookledger', icon_emoji: ':moneybag:' }, null);
    expect(message).toMatchObject({ channel: '#billing', username: 'Hookledger', icon_emoji: ':moneybag:', text: 'invoice.paid: event msg_1' });
    expect(message.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'invoice.paid' } },
      { type: 'section', fields: [
        { type: 'mrkdwn', text: '*amount*\n4200' },
        { type: 'mrkdwn', text: '*customer*\nTom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;' },
        { type: 'mrkdwn', text: '*paid*\ntrue' },
      ] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'msg_1 · 2026-01-02T03:04:05.000Z' }] },
    ]);
  });

  it('renders a template as text and one section, event values escaped for mrkdwn', () => {
    const message = slackMessage(event, {}, '*{{type}}* from {{data.customer}}');
    const text = '*invoice.paid* from Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;';
    expect(message).toEqual({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  });

  it('keeps a section within 3000 characters', () => {
    const message = slackMessage({ ...event, data: { note: 'x'.repeat(5000) } }, {}, '{{data.note}}');
    expect((message.text as string).length).toBe(3000);
    expect((message.blocks as { text: { text: string } }[])[0].text.text.length).toBe(3000);
  });

  it('escapes only &, < and >', () => expect(escapeSlack(`<@U1> & "q"`)).toBe(`&lt;@U1&gt; &amp; "q"`));
});

describe('Discord embed', () => {
  it.each([
    ['payment.failed', DISCORD_COLOURS.failed], ['alert.triggered', DISCORD_COLOURS.failed], ['export.completed', DISCORD_COLOURS.completed],
    ['invoice.paid', DISCORD_COLOURS.other],
  ])('colours %s by outcome', (type, colour) => {
    expect((discordMessage({ ...event, type }, {}, null).embeds as { color: number }[])[0].color).toBe(colour);
  });

  it('holds the data as fields, plain text, with username and avatar and no mentions', () => {
    const message = discordMessage(event, { username: 'Billing', avatar_url: 'https://cdn.example/a.png' }, null);
    expect(message).toEqual({
      username: 'Billing', avatar_url: 'https://cdn.example/a.png', allowed_mentions: { parse: [] },
      embeds: [{
        title: 'invoice.paid', color: DISCORD_COLOURS.other, timestamp: '2026-01-02T03:04:05.000Z', footer: { text: 'msg_1' },
        fields: [
          { name: 'amount', value: '4200', inline: true },
          { name: 'customer', value: 'Tom & Jerry <script>alert(1)</script>', inline: true },
          { name: 'paid', value: 'true', inline: true },
        ],
      }],
    });
  });

  it('keeps Discord limits: 25 fields of at most 1024 characters, a description of at most 4096', () => {
    const data = Object.fromEntries(Array.from({ length: 30 }, (_, n) => [`f${n}`, 'y'.repeat(2000)]));
    const [embed] = discordMessage({ ...event, data }, {}, null).embeds as { fields: { value: string }[] }[];
    expect(embed.fields).toHaveLength(25);
    expect(embed.fields.every((field) => field.value.length === 1024)).toBe(true);
    const [templated] = discordMessage({ ...event, data: { long: 'z'.repeat(5000) } }, {}, '{{data.long}}').embeds as { description: string }[];
    expect(templated.description).toHaveLength(4096);
  });
});

describe('Telegram sendMessage', () => {
  it('escapes every event value for parse_mode HTML', () => {
    expect(telegramMessage(event, '-100123', null)).toEqual({
      chat_id: '-100123', parse_mode: 'HTML',
      text: '<b>invoice.paid</b>\n<b>amount</b>: 4200\n<b>customer</b>: Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;\n<b>paid</b>: true\n<i>msg_1</i>',
    });
  });

  it('escapes values in a template even in triple mustaches, keeping the template\'s own markup', () => {
    const { text } = telegramMessage(event, '1', '<b>{{type}}</b> {{{data.customer}}} {{& data.customer}}');
    expect(text).toBe('<b>invoice.paid</b> Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('stays within 4096 characters without cutting an entity in half', () => {
    const { text } = telegramMessage({ ...event, data: { a: '&'.repeat(3000), b: '<'.repeat(3000) } }, '1', null);
    expect((text as string).length).toBeLessThanOrEqual(4096);
    const templated = telegramMessage({ ...event, data: { a: '&'.repeat(5000) } }, '1', '{{data.a}}').text as string;
    expect(templated.length).toBeLessThanOrEqual(4096);
    expect(templated).toMatch(/(&amp;)+…$/);
  });

  it('escapes quotes too', () => expect(escapeTelegramHtml('"a" & <b>')).toBe('&quot;a&quot; &amp; &lt;b&gt;'));

  it('goes to the Bot API with the token in the path, and records the URL without it', () => {
    const request = chatRequest({
      type: 'telegram', url: '', provider: { chat_id: '42', bot_token_key_id: 'key_1' }, template: null, event,
      telegramApiUrl: 'https://api.telegram.org', botToken: '123:secret-token-value',
    });
    expect(request.url).toBe('https://api.telegram.org/bot123:secret-token-value/sendMessage');
    expect(request.recordedUrl).toBe(`https://api.telegram.org/bot${REDACTED_BOT_TOKEN}/sendMessage`);
    expect(request.body).not.toContain('secret-token-value');
  });
});

describe('templates', () => {
  it('refuse what does not parse, partials, and what is too long', () => {
    expect(templateRefusal('{{#data.items}}unclosed')).toMatch(/does not parse/);
    expect(templateRefusal('{{> header}}')).toMatch(/partials/);
    expect(templateRefusal('x'.repeat(4001))).toMatch(/at most 4000/);
    expect(templateRefusal('{{type}} paid {{data.amount}}')).toBeNull();
  });

  it('reach no built-ins through the prototype', () => {
    expect(renderTemplate('[{{data.constructor}}][{{data.toString}}][{{__proto__}}]', event, (text) => text)).toBe('[][][]');
  });

  it('that fail on an event render as null, so the default message is sent instead', () => {
    expect(renderTemplate('{{data.items.map}}', { ...event, data: { items: [1] } }, (text) => text)).toBeNull();
    expect(slackMessage({ ...event, data: { items: [1] } }, {}, '{{data.items.map}}').text).toBe('invoice.paid: event msg_1');
  });

  it('iterate lists and show nothing for missing values', () => {
    const rendered = renderTemplate('{{#data.items}}{{name}};{{/data.items}}{{data.missing}}', { ...event, data: { items: [{ name: 'a' }, { name: 'b' }] } }, (t) => t);
    expect(rendered).toBe('a;b;');
  });

  it('truncate never splits a surrogate pair', () => expect(truncate('ab😀cd', 4)).toBe('ab…'));
});

import { providerRefusal, providerView } from './endpoint-provider';

describe('an endpoint\'s provider options', () => {
  it('fit their type, each field named when refused', () => {
    expect(providerRefusal('slack', { channel: '#alerts', username: 'Hookledger', icon_emoji: ':bell:' })).toBeNull();
    expect(providerRefusal('slack', { avatar_url: 'https://x.example/a.png' })).toEqual({ field: 'provider.avatar_url', message: expect.stringMatching(/not an option of slack/) });
    expect(providerRefusal('slack', { icon_emoji: 'bell' })).toEqual({ field: 'provider.icon_emoji', message: expect.stringMatching(/emoji code/) });
    expect(providerRefusal('discord', { avatar_url: 'http://plain.example/a.png' })?.field).toBe('provider.avatar_url');
    expect(providerRefusal('webhook', { channel: '#x' })?.field).toBe('provider');
    expect(providerRefusal('slack', undefined)).toBeNull();
  });

  it('Telegram needs a bot token and a chat id; a PATCH may keep the sealed token', () => {
    expect(providerRefusal('telegram', undefined)?.field).toBe('provider');
    expect(providerRefusal('telegram', { chat_id: '-1001234' })?.field).toBe('provider.bot_token');
    expect(providerRefusal('telegram', { chat_id: '-1001234' }, true)).toBeNull();
    expect(providerRefusal('telegram', { bot_token: '123456:ABCdefGHIjkl-mno' })?.field).toBe('provider.chat_id');
    expect(providerRefusal('telegram', { bot_token: 'not a token', chat_id: '1' })?.field).toBe('provider.bot_token');
    expect(providerRefusal('telegram', { bot_token: '123456:ABCdefGHIjkl-mno', chat_id: '@my_channel' })).toBeNull();
  });

  it('are shown without the sealed token\'s key id', () => {
    expect(providerView({ chat_id: '42', bot_token_key_id: 'key_1' })).toEqual({ chat_id: '42' });
    expect(providerView(null)).toBeNull();
  });
});

/**
 * Where an endpoint's deliveries go: a receiver of our signed webhooks (`webhook`), or a chat
 * provider whose API the dispatcher speaks instead (a Slack or Discord incoming webhook, a
 * Telegram bot). Fixed at creation: the URL, provider options and signing make sense for one type.
 */
export const ENDPOINT_TYPES = ['webhook', 'slack', 'discord', 'telegram'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];
export type ChatProviderType = Exclude<EndpointType, 'webhook'>;

export const isChatProvider = (type: EndpointType): type is ChatProviderType => type !== 'webhook';

export type SlackOptions = { readonly channel?: string; readonly username?: string; readonly icon_emoji?: string };
export type DiscordOptions = { readonly username?: string; readonly avatar_url?: string };
/** As events and rows hold it: the bot token is sealed in the key table under `bot_token_key_id`, never here. */
export type TelegramOptions = { readonly chat_id: string; readonly bot_token_key_id: string };

/** An endpoint's `provider` as events and rows hold it; null for a webhook. */
export type EndpointProviderOptions = SlackOptions | DiscordOptions | TelegramOptions;

/** What answers show of `provider`: everything but the sealed token's key id. */
export function providerView(provider: EndpointProviderOptions | null): Record<string, string> | null {
  if (provider === null) return null;
  const { bot_token_key_id: _sealed, ...shown } = provider as Record<string, string>;
  return shown;
}

/** The key ids an endpoint's provider names in the key table. */
export const providerKeyId = (provider: EndpointProviderOptions | null): string | null =>
  provider !== null && 'bot_token_key_id' in provider ? provider.bot_token_key_id : null;

/** Settings meaningless for a chat provider, refused rather than silently ignored. */
export const WEBHOOK_ONLY_SETTINGS = ['signature_profile', 'payload_format', 'headers', 'auth', 'secret'] as const;

const PROVIDER_FIELDS: Readonly<Record<EndpointType, readonly string[]>> = {
  webhook: [],
  slack: ['channel', 'username', 'icon_emoji'],
  discord: ['username', 'avatar_url'],
  telegram: ['bot_token', 'chat_id'],
};

const FIELD_RULES: Readonly<Record<string, { readonly pattern: RegExp; readonly rule: string }>> = {
  channel: { pattern: /^[#@]?[\w.-]{1,80}$/, rule: 'a channel name (#alerts) or id, at most 80 characters' },
  username: { pattern: /^[^\r\n]{1,80}$/, rule: 'at most 80 characters on one line' },
  icon_emoji: { pattern: /^:[\w+-]{1,64}:$/, rule: 'an emoji code like :rotating_light:' },
  avatar_url: { pattern: /^https:\/\/[^\s]{1,2040}$/, rule: 'an https URL' },
  // Telegram's tokens are "<bot id>:<35 characters>"; the pattern leaves room for test servers' own.
  bot_token: { pattern: /^\d{1,20}:[\w-]{10,128}$/, rule: 'a bot token as BotFather gives it (123456:ABC-DEF…)' },
  chat_id: { pattern: /^(-?\d{1,20}|@[A-Za-z]\w{3,63})$/, rule: 'a numeric chat id or a public @channelusername' },
};

/** One refused field of `provider`, named as the API names it (`provider.chat_id`). */
export type ProviderRefusal = { readonly field: string; readonly message: string };

/**
 * What is wrong with the `provider` a client gave for an endpoint of `type`, or null. `partial`:
 * a PATCH of a Telegram endpoint may leave the bot token out to keep the sealed one.
 */
export function providerRefusal(type: EndpointType, provider: unknown, partial = false): ProviderRefusal | null {
  if (type === 'webhook') {
    return provider === undefined || provider === null ? null : { field: 'provider', message: 'provider is only for the slack, discord and telegram types' };
  }
  if (provider === undefined || provider === null) {
    return type === 'telegram' ? { field: 'provider', message: 'a telegram endpoint needs provider {bot_token, chat_id}' } : null;
  }
  if (typeof provider !== 'object' || Array.isArray(provider)) return { field: 'provider', message: 'provider must be an object' };
  const allowed = PROVIDER_FIELDS[type];
  for (const [name, value] of Object.entries(provider)) {
    if (!allowed.includes(name)) return { field: `provider.${name}`, message: `provider.${name} is not an option of ${type}; it takes ${allowed.join(', ')}` };
    const rule = FIELD_RULES[name];
    if (typeof value !== 'string' || !rule.pattern.test(value)) return { field: `provider.${name}`, message: `provider.${name} must be ${rule.rule}` };
  }
  if (type === 'telegram') {
    const given = provider as Record<string, unknown>;
    if (given.chat_id === undefined) return { field: 'provider.chat_id', message: 'provider.chat_id is required for telegram' };
    if (given.bot_token === undefined && !partial) return { field: 'provider.bot_token', message: 'provider.bot_token is required for telegram' };
  }
  return null;
}

import type { ChatProviderType, DiscordOptions, EndpointProviderOptions, SlackOptions, TelegramOptions } from '../endpoints/endpoint-provider';
import type { ChatEvent } from './chat-template';
import { discordMessage } from './discord-message';
import { slackMessage } from './slack-message';
import { telegramMessage } from './telegram-message';

/** What stands for the bot token wherever a Telegram URL is recorded or shown. */
export const REDACTED_BOT_TOKEN = '<bot_token>';

export interface ChatRequestInput {
  readonly type: ChatProviderType;
  /** The endpoint's URL: the Slack or Discord incoming webhook; unused for Telegram. */
  readonly url: string;
  readonly provider: EndpointProviderOptions | null;
  readonly template: string | null;
  readonly event: ChatEvent;
  /** Telegram's Bot API base (HOOKS_TELEGRAM_API_URL). */
  readonly telegramApiUrl: string;
  /** The Telegram bot token, unsealed; null for the others. */
  readonly botToken: string | null;
}

export interface ChatRequest {
  /** Where it is sent. */
  readonly url: string;
  /** Where the attempt says it was sent: the same, with a Telegram bot token replaced. */
  readonly recordedUrl: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The request a chat provider's API expects for one event. */
export function chatRequest(input: ChatRequestInput): ChatRequest {
  const headers = { 'content-type': 'application/json' };
  const options = input.provider ?? {};
  switch (input.type) {
    case 'slack':
      return { url: input.url, recordedUrl: input.url, headers, body: JSON.stringify(slackMessage(input.event, options as SlackOptions, input.template)) };
    case 'discord':
      // wait=true makes Discord answer 200 with the message, so a refused embed shows as an error rather than a silent 204.
      return { url: withWait(input.url), recordedUrl: withWait(input.url), headers, body: JSON.stringify(discordMessage(input.event, options as DiscordOptions, input.template)) };
    case 'telegram': {
      if (input.botToken === null) throw new Error('a telegram endpoint needs its bot token');
      const path = (token: string) => `${input.telegramApiUrl}/bot${token}/sendMessage`;
      const body = telegramMessage(input.event, (options as TelegramOptions).chat_id, input.template);
      return { url: path(input.botToken), recordedUrl: path(REDACTED_BOT_TOKEN), headers, body: JSON.stringify(body) };
    }
  }
}

function withWait(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('wait')) parsed.searchParams.set('wait', 'true');
  return parsed.toString();
}

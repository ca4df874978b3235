import { HttpStatus } from '@nestjs/common';
import { EndpointType, isChatProvider, providerRefusal, templateRefusal, WEBHOOK_ONLY_SETTINGS } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';

/** What a POST or PATCH gave that the endpoint's type decides about. */
export interface ChatSettingsInput {
  readonly url?: string;
  readonly provider?: unknown;
  readonly template?: string | null;
  /** The settings only a webhook uses, as given (undefined when not). */
  readonly webhookOnly: Readonly<Partial<Record<(typeof WEBHOOK_ONLY_SETTINGS)[number], unknown>>>;
}

/**
 * Settings that do not fit the endpoint's type are refused with 422 naming the field, never
 * silently ignored: a chat provider is not signed and takes no custom headers or auth; Telegram's
 * destination is the bot API, so it takes no `url`; `provider` and `template` are for chat
 * providers. `partial`: a PATCH, where a Telegram bot token may be left out to keep the sealed one.
 */
export function checkChatSettings(type: EndpointType, input: ChatSettingsInput, partial: boolean): void {
  if (!isChatProvider(type)) {
    if (input.provider !== undefined && input.provider !== null) refuse('provider', 'provider is only for the slack, discord and telegram types');
    if (input.template !== undefined && input.template !== null) refuse('template', 'template is only for the slack, discord and telegram types');
    return;
  }
  for (const field of WEBHOOK_ONLY_SETTINGS) {
    if (input.webhookOnly[field] !== undefined) refuse(field, `${field} is not used by ${type} endpoints (they are not signed and take no custom headers or auth)`);
  }
  if (type === 'telegram' && input.url !== undefined) {
    refuse('url', 'telegram endpoints take no url: messages go to the Bot API with provider.bot_token and provider.chat_id');
  }
  // A new endpoint always has its provider checked: Telegram cannot do without one.
  if (input.provider !== undefined || !partial) {
    const refusal = providerRefusal(type, input.provider, partial);
    if (refusal) refuse(refusal.field, refusal.message);
  }
  if (input.template !== undefined && input.template !== null) {
    const refusal = templateRefusal(input.template);
    if (refusal) refuse('template', refusal);
  }
}

function refuse(field: string, message: string): never {
  throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${message}.`, { errors: [{ field, message }] });
}

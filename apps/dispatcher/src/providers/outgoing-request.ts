import {
  AttemptClassification, ChatProviderType, chatRequest, classifyChatAnswer, classifyResponse, isChatProvider, REDACTED_BOT_TOKEN,
} from '@hookledger/domain';
import type { DispatchContext } from '../delivery-loader';
import { webhookRequest, type ReceiverResponse } from '@hookledger/webhook-http';

/** The unsealed credentials a request may carry, for building it and for keeping them out of its record. */
export interface RequestCredentials {
  /** Signing secrets valid now, newest first. */
  readonly secrets: readonly string[];
  readonly authorization: string | null;
  /** A Telegram endpoint's bot token. */
  readonly botToken: string | null;
}

export interface OutgoingRequest {
  readonly url: string;
  /** Where the attempt says it went: a Telegram bot token in the path replaced. */
  readonly recordedUrl: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type Payload = DispatchContext & { readonly data: Record<string, unknown> };

/** A signed webhook, or the message a chat provider's API expects, for one attempt. */
export function outgoingRequest(context: Payload, credentials: RequestCredentials, now: Date, telegramApiUrl: string): OutgoingRequest {
  if (isChatProvider(context.type)) {
    return chatRequest({
      type: context.type,
      url: context.url,
      provider: context.provider,
      template: context.template,
      event: { id: context.message_id, type: context.event_type, timestamp: context.message_timestamp, data: context.data },
      telegramApiUrl,
      botToken: credentials.botToken,
    });
  }
  const { headers, body } = webhookRequest({
    messageId: context.message_id,
    eventType: context.event_type,
    messageTimestamp: context.message_timestamp,
    data: context.data,
    payloadFormat: context.payload_format,
    signatureProfile: context.signature_profile,
    headers: context.headers,
    authorization: credentials.authorization,
    secrets: credentials.secrets,
    now,
  });
  return { url: context.url, recordedUrl: context.url, headers, body };
}

/** How the answer counts, and the error the attempt records (a chat provider's own words when it refused). */
export function classifyAnswer(
  type: DispatchContext['type'], answer: ReceiverResponse, now: Date, botToken: string | null,
): { classification: AttemptClassification; error: string | null } {
  if (!isChatProvider(type)) {
    return { classification: classifyResponse({ statusCode: answer.statusCode, error: answer.error, retryAfter: answer.retryAfter, now }), error: answer.error?.message ?? null };
  }
  const outcome = classifyChatAnswer(type as ChatProviderType, { ...answer, now });
  // The token travels in Telegram's URL path: an error text that quotes the URL must not keep it.
  const error = botToken !== null && outcome.error !== null ? outcome.error.split(botToken).join(REDACTED_BOT_TOKEN) : outcome.error;
  return { classification: outcome.classification, error };
}

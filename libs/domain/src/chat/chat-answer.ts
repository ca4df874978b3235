import { AttemptClassification, classifyResponse, DeliveryErrorCode } from '../delivery/attempt-classification';
import { clampRetryAfter } from '../delivery/retry-policy';
import type { ChatProviderType } from '../endpoints/endpoint-provider';

export interface ChatAnswer {
  readonly statusCode: number | null;
  /** The first bytes of the answer's body, as the sender keeps them. */
  readonly responseBody: string | null;
  readonly retryAfter: string | null;
  readonly error: { readonly code: DeliveryErrorCode; readonly message: string } | null;
  readonly now: Date;
}

/** What the attempt records: how the answer counts, and the provider's own words when it refused. */
export interface ChatOutcome {
  readonly classification: AttemptClassification;
  readonly error: string | null;
}

const ERROR_TEXT_MAX = 300;

/**
 * A chat provider's answer. Their rate limits say when to come back — Slack in `Retry-After`,
 * Discord as `retry_after` seconds and Telegram as `parameters.retry_after` in the JSON body — and
 * such an attempt does not spend the delivery's retries (the provider throttled us; the message
 * was fine). Telegram can refuse with 200 `{"ok": false}`; a refusal's error is the provider's
 * description (`invalid_payload`, `Bad Request: chat not found`).
 */
export function classifyChatAnswer(type: ChatProviderType, answer: ChatAnswer): ChatOutcome {
  if (answer.statusCode === null) {
    return { classification: classifyResponse({ statusCode: null, error: answer.error }), error: answer.error?.message ?? null };
  }
  const json = parseJson(answer.responseBody);
  if (type === 'telegram' && answer.statusCode >= 200 && answer.statusCode < 300 && json?.ok === false) {
    return { classification: { outcome: 'retryable', reason: 'provider_error' }, error: telegramError(json, answer.statusCode) };
  }
  const classification = classifyResponse({ statusCode: answer.statusCode, retryAfter: answer.retryAfter, now: answer.now });
  if (classification.outcome === 'succeeded') return { classification, error: null };
  const error = errorText(type, answer, json);
  if (answer.statusCode !== 429) return { classification, error };
  const retryAfter = bodyRetryAfter(type, json) ?? classification.retryAfterSeconds;
  return { classification: { ...classification, ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }), spendsRetry: false }, error };
}

function bodyRetryAfter(type: ChatProviderType, json: Record<string, unknown> | null): number | undefined {
  const seconds = type === 'discord' ? json?.retry_after : type === 'telegram' ? (json?.parameters as Record<string, unknown> | undefined)?.retry_after : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? clampRetryAfter(Math.ceil(seconds)) : undefined;
}

function errorText(type: ChatProviderType, answer: ChatAnswer, json: Record<string, unknown> | null): string {
  const status = `HTTP ${answer.statusCode}`;
  if (type === 'telegram' && json) return telegramError(json, answer.statusCode ?? 0);
  if (type === 'discord' && typeof json?.message === 'string') {
    return cut(`${status}: ${json.message}${json.code !== undefined ? ` (code ${String(json.code)})` : ''}`);
  }
  // Slack answers its errors as plain text: invalid_payload, no_service, invalid_token, channel_is_archived.
  const text = answer.responseBody?.trim();
  return cut(text ? `${status}: ${text}` : status);
}

function telegramError(json: Record<string, unknown>, status: number): string {
  const code = typeof json.error_code === 'number' ? json.error_code : status;
  return cut(`Telegram ${code}: ${typeof json.description === 'string' ? json.description : 'the request was refused'}`);
}

function parseJson(body: string | null): Record<string, unknown> | null {
  if (!body) return null;
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const cut = (text: string): string => (text.length <= ERROR_TEXT_MAX ? text : `${text.slice(0, ERROR_TEXT_MAX - 1)}…`);

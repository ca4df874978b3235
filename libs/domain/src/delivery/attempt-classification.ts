import { clampRetryAfter } from './retry-policy';

/** Why a request produced no HTTP answer; set by the sender. */
export type DeliveryErrorCode =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns_failure'
  | 'tls_error'
  | 'address_blocked'
  | 'network_error';

export const DELIVERY_ERROR_CODES: readonly DeliveryErrorCode[] = [
  'timeout', 'connection_refused', 'connection_reset', 'dns_failure', 'tls_error', 'address_blocked', 'network_error',
];

/** The machine-readable reason recorded as an attempt's outcome. */
export type AttemptReason =
  | 'http_2xx'
  | 'redirect_not_followed'
  | 'gone'
  | 'rate_limited'
  | 'service_unavailable'
  | 'http_4xx'
  | 'http_5xx'
  | 'invalid_status'
  /** A chat provider answered 2xx but refused the message (Telegram's `{"ok": false}`). */
  | 'provider_error'
  | DeliveryErrorCode;

export type AttemptOutcome = 'succeeded' | 'retryable' | 'failed_permanently';

export interface AttemptClassification {
  readonly outcome: AttemptOutcome;
  readonly reason: AttemptReason;
  /** The receiver's Retry-After (429/503), clamped to [1 s, 24 h]. */
  readonly retryAfterSeconds?: number;
  /**
   * false for a chat provider's rate limit: the attempt is recorded but does not count toward the
   * retry schedule (see decideAttemptRecorded).
   */
  readonly spendsRetry?: false;
}

export interface ReceiverAnswer {
  readonly statusCode?: number | null;
  readonly error?: { readonly code: DeliveryErrorCode } | null;
  /** The raw Retry-After header: seconds or an HTTP date. */
  readonly retryAfter?: string | null;
  /** Needed only to turn an HTTP-date Retry-After into seconds. */
  readonly now?: Date;
}

/** What an answer means for the delivery. Redirects are never followed: a 3xx is a failure. */
export function classifyResponse(answer: ReceiverAnswer): AttemptClassification {
  const status = answer.statusCode;
  if (status == null) {
    return { outcome: 'retryable', reason: answer.error?.code ?? 'network_error' };
  }
  if (status >= 200 && status < 300) return { outcome: 'succeeded', reason: 'http_2xx' };
  if (status >= 300 && status < 400) return { outcome: 'retryable', reason: 'redirect_not_followed' };
  // 410 is the receiver saying the endpoint is gone for good: stop and let the endpoint be disabled.
  if (status === 410) return { outcome: 'failed_permanently', reason: 'gone' };
  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(answer.retryAfter, answer.now ?? new Date());
    return {
      outcome: 'retryable',
      reason: status === 429 ? 'rate_limited' : 'service_unavailable',
      ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }),
    };
  }
  if (status >= 400 && status < 500) return { outcome: 'retryable', reason: 'http_4xx' };
  if (status >= 500 && status < 600) return { outcome: 'retryable', reason: 'http_5xx' };
  return { outcome: 'retryable', reason: 'invalid_status' };
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), clamped; null when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return clampRetryAfter(Number(value));
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/^[A-Za-z]{3}/.test(value)) return null;
  return clampRetryAfter(Math.ceil((at - now.getTime()) / 1000));
}

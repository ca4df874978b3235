import type { DeliveryErrorCode } from '@hookledger/domain';
import { AddressBlockedError } from './address-blocked.error';
import { PlainHttpRefusedError } from './plain-http-refused.error';

export interface DeliveryError {
  readonly code: DeliveryErrorCode;
  /** Safe to record and show: built from the failure, never from request headers or secrets. */
  readonly message: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ESERVFAIL', 'ENODATA']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^EPROTO$/;

/** Names a failed request by the classification code the delivery rules know. */
export function deliveryErrorOf(error: unknown, timeoutMs: number): DeliveryError {
  if (error instanceof AddressBlockedError) return { code: 'address_blocked', message: error.message };
  // A destination refused by policy before any connection, like the SSRF guard's refusal; the message says which policy.
  if (error instanceof PlainHttpRefusedError) return { code: 'address_blocked', message: error.message };
  const failure = error as { name?: string; code?: string; message?: string; cause?: unknown } | null;
  const code = failure?.code ?? '';
  const message = failure?.message || String(error);
  if (failure?.name === 'TimeoutError' || failure?.name === 'AbortError' || TIMEOUT_CODES.has(code)) {
    return { code: 'timeout', message: `no complete answer within ${timeoutMs} ms` };
  }
  if (code === 'ECONNREFUSED') return { code: 'connection_refused', message };
  if (RESET_CODES.has(code)) return { code: 'connection_reset', message };
  if (DNS_CODES.has(code)) return { code: 'dns_failure', message };
  if (TLS_CODE.test(code)) return { code: 'tls_error', message };
  if (failure?.cause && failure.cause !== error) return deliveryErrorOf(failure.cause, timeoutMs);
  return { code: 'network_error', message };
}

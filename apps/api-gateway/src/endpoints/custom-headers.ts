import { HttpStatus } from '@nestjs/common';
import { isCredentialHeader } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';

/** Headers the dispatcher sets itself or that HTTP forbids a sender to set per request. */
export const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer',
  'proxy-connection', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature',
  // set by the signature profiles
  'x-hub-signature-256', 'x-github-event', 'x-github-delivery', 'stripe-signature', 'x-webhook-signature', 'x-webhook-event', 'x-webhook-timestamp',
]);

/** Ours too: Standard Webhooks owns the `webhook-` prefix, and may name more headers under it. */
export const isReservedHeader = (name: string): boolean => {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || lower.startsWith('webhook-');
};

/** A header that carries a credential; headers are shown in answers and kept in the ledger, so these belong in `auth`. */
export { isCredentialHeader };

/** Refuses the first credential header with 422, naming it and pointing to `auth` (sealed and write-only). */
export function refuseCredentialHeaders(headers: Readonly<Record<string, string>> | undefined): void {
  const name = Object.keys(headers ?? {}).find(isCredentialHeader);
  if (name === undefined) return;
  const message = `${name} carries a credential, and headers are shown in answers and kept in the audit ledger; put credentials in auth ({"type": "bearer", "token": …} or {"type": "basic", "username": …, "password": …}), which is stored sealed and never shown`;
  throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `headers.${name}: ${message}`, { errors: [{ field: `headers.${name}`, message }] });
}

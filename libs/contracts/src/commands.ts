/**
 * Command payloads carried over JetStream. They are versioned: a consumer refuses (terms) a
 * version it does not know instead of guessing. Field names are snake_case like the public API.
 */

/**
 * `<ns>.cmd.ingest` (from the API) and `<ns>.in.<type>` (from internal services). msgID =
 * ingestMessageId(tenant_id, id): event ids are per tenant, and so is their dedup.
 */
export interface IngestCommand {
  readonly v: 1;
  /** The message id: the publisher's dedup key when given, otherwise generated (`msg_…`). */
  readonly id: string;
  readonly type: string;
  /** ISO-8601 time the event was accepted. */
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
  readonly tenant_id?: string | null;
  readonly channels?: readonly string[] | null;
  /**
   * Deliver to exactly these endpoints (test sends, ad-hoc destinations) instead of the ones whose
   * subscriptions match; inactive or deleted ones are skipped.
   */
  readonly endpoint_ids?: readonly string[] | null;
  /** The incoming-webhook source whose verified request brought the event; the ledger records it on MessageReceived. */
  readonly source?: { readonly id: string; readonly type: string; readonly delivery_id: string } | null;
}

/**
 * The JetStream msgID of an ingest command: `<tenant>/<id>`. A bare id would let one tenant's
 * publish make JetStream drop another tenant's event with the same id; neither part may contain
 * `/`, so the pair is unambiguous. Internal publishers on `<ns>.in.<type>` should use it too.
 */
export function ingestMessageId(tenantId: string, eventId: string): string {
  return `${tenantId}/${eventId}`;
}

/** `<ns>.cmd.dispatch`. */
export interface DispatchCommand {
  readonly v: 1;
  readonly delivery_id: string;
  /** The attempt number this command asks for (1 = first). A stale duplicate is acked and skipped. */
  readonly attempt: number;
  /** Why the attempt happens: the normal flow or a person asking for it (retry, replay). */
  readonly trigger: 'scheduled' | 'manual';
  /** The one request a half-open circuit lets through to test the endpoint. */
  readonly probe?: boolean;
}

/**
 * The JetStream msgID of a dispatch command. Scheduled dispatches are keyed by the delivery's
 * stream version: every state change (scheduled, retry scheduled, deferred) bumps it, so a
 * re-publish of the same state is dropped by JetStream while the next state's is not. Manual
 * dispatches add the id of the request (retry or replay job) that asked for them.
 */
export function dispatchMessageId(deliveryId: string, version: number, requestId?: string): string {
  return requestId ? `${deliveryId}:v${version}:${requestId}` : `${deliveryId}:v${version}`;
}

import { createHash } from 'node:crypto';

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

/** `<ns>.cmd.dispatch`, v1: one delivery (manual retries and replays, circuit probes; v2 carries many). */
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

/** One delivery of a `DispatchBatchCommand`: what a v1 command says about it. */
export interface DispatchItem {
  readonly delivery_id: string;
  readonly attempt: number;
  readonly trigger: 'scheduled' | 'manual';
  readonly probe?: boolean;
}

/**
 * `<ns>.cmd.dispatch`, v2: many deliveries in one message (an ingest batch's or a poll's, in
 * chunks of at most MAX_DISPATCH_BATCH), so the bus and the dispatcher pay per batch, not per delivery. The
 * dispatcher acks it once every delivery in it is recorded (or refused as stale, or deferred).
 * Its msgID is `dispatchBatchMessageId` of the deliveries at their versions: a replayed batch is
 * dropped by JetStream like a replayed v1 command.
 */
export interface DispatchBatchCommand {
  readonly v: 2;
  readonly deliveries: readonly DispatchItem[];
}

/**
 * Deliveries per `DispatchBatchCommand`: bounds a message's size and the work one ack waits for.
 * 100 already makes the bus's per-message cost 1 % of what it was per delivery, while a fan-out
 * or a full ingest batch still spreads over several commands the dispatcher works on side by side
 * (its bound is HOOKS_DISPATCH_CONCURRENCY deliveries, 256 by default).
 */
export const MAX_DISPATCH_BATCH = 100;

/**
 * The JetStream msgID of a dispatch command. Scheduled dispatches are keyed by the delivery's
 * stream version: every state change (scheduled, retry scheduled, deferred) bumps it, so a
 * re-publish of the same state is dropped by JetStream while the next state's is not. Manual
 * dispatches add the id of the request (retry or replay job) that asked for them.
 */
export function dispatchMessageId(deliveryId: string, version: number, requestId?: string): string {
  return requestId ? `${deliveryId}:v${version}:${requestId}` : `${deliveryId}:v${version}`;
}

/**
 * The msgID of a `DispatchBatchCommand`: a digest of its deliveries' v1 msgIDs (delivery and stream
 * version, in order), so the same deliveries in the same states publish the same id.
 */
export function dispatchBatchMessageId(deliveries: readonly { readonly id: string; readonly version: number }[]): string {
  const hash = createHash('sha256');
  for (const delivery of deliveries) hash.update(`${dispatchMessageId(delivery.id, delivery.version)}\n`);
  return `batch:${hash.digest('base64url')}`;
}

/**
 * Scheduled dispatches for deliveries at their versions, as v2 commands of at most
 * MAX_DISPATCH_BATCH deliveries each, in the given order (an endpoint's deliveries keep it).
 */
export function dispatchBatches(
  deliveries: readonly { readonly id: string; readonly version: number; readonly attempt: number }[],
  subject: string,
): { subject: string; payload: DispatchBatchCommand; msgID: string }[] {
  const batches: { subject: string; payload: DispatchBatchCommand; msgID: string }[] = [];
  for (let start = 0; start < deliveries.length; start += MAX_DISPATCH_BATCH) {
    const chunk = deliveries.slice(start, start + MAX_DISPATCH_BATCH);
    batches.push({
      subject,
      payload: { v: 2, deliveries: chunk.map((delivery) => ({ delivery_id: delivery.id, attempt: delivery.attempt, trigger: 'scheduled' })) },
      msgID: dispatchBatchMessageId(chunk),
    });
  }
  return batches;
}

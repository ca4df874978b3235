import type { DomainEvent } from '../domain-event';
import type { AttemptReason } from './attempt-classification';
import type { AttemptRequest } from './attempt-request';


export const DeliveryEventType = {
  DeliveryScheduled: 'DeliveryScheduled',
  DeliveryAttempted: 'DeliveryAttempted',
  DeliverySucceeded: 'DeliverySucceeded',
  DeliveryRetryScheduled: 'DeliveryRetryScheduled',
  DeliveryFailed: 'DeliveryFailed',
  DeliveryDeferred: 'DeliveryDeferred',
  DeliveryRequeued: 'DeliveryRequeued',
} as const;
export type DeliveryEventType = (typeof DeliveryEventType)[keyof typeof DeliveryEventType];

export type AttemptTrigger = 'scheduled' | 'manual';
/**
 * Why a delivery stopped: the schedule ran out, the receiver's answer ended it (e.g. 410 `gone`),
 * its endpoint went, or its payload was purged (retention or erasure destroyed the key it was
 * sealed with) before it could be sent.
 */
export type DeliveryFailureReason = 'exhausted' | 'endpoint_disabled' | 'endpoint_deleted' | 'payload_purged' | AttemptReason;

// Data shapes are type aliases (not interfaces) so they stay assignable to Record<string, unknown>.
export type DeliveryScheduledData = {
  delivery_id: string;
  message_id: string;
  endpoint_id: string;
  event_type: string;
  tenant_id: string | null;
};

/** What every version of DeliveryAttempted says about the attempt. */
type AttemptFacts = {
  attempt_id: string;
  attempt: number;
  trigger: AttemptTrigger;
  url: string;
  /** ISO-8601. */
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  /** The attempt's reason code (`http_2xx`, `timeout`, …). */
  outcome: AttemptReason;
  error: string | null;
};

/** schema_version 1 (before issue 13): the receiver's answer in plain text, and no record of the request. */
export type DeliveryAttemptedV1Data = AttemptFacts & {
  /** The first 4 KiB of the receiver's answer; absent once migration 1732400000069 sealed it in place. */
  response_body?: string | null;
  /** Set by migration 1732400000069, which sealed the plain text in place (context {@link attemptBodyContext}). */
  sealed_response_body?: string | null;
};

/**
 * schema_version 2: the request as sent (headers minus credentials, body digest, signature), and
 * the answer's first 4 KiB sealed with the tenant's data key (`TenantDataKeys`, context
 * {@link attemptBodyContext}), so erasure and retention can destroy it while the chain, which
 * covers the sealed text, still verifies. An empty answer is `''` (nothing to seal); no answer is null.
 */
export type DeliveryAttemptedData = AttemptFacts & {
  request: AttemptRequest;
  sealed_response_body: string | null;
};

/**
 * schema_version 3 (issue 16): version 2 plus the delivery's endpoint, so readers (endpoint health)
 * need no lookup, and whether this attempt delivered the webhook. A delivered attempt ends its
 * delivery by itself: no DeliverySucceeded follows it (one event per happy attempt). A failed one
 * is followed by DeliveryRetryScheduled or DeliveryFailed as before.
 */
export type DeliveryAttemptedV3Data = DeliveryAttemptedData & { endpoint_id: string; delivered: boolean };

/** Whether the event is an attempt that delivered the webhook, ending its delivery succeeded (version 3). */
export function deliveredBy(event: DeliveryEvent): boolean {
  return event.type === 'DeliveryAttempted' && event.schema_version === 3 && event.data.delivered;
}

/** Where an attempt's sealed response body belongs: a copy pasted into another attempt does not open. */
export const attemptBodyContext = (attemptId: string): string => `attempt:${attemptId}`;

export type DeliverySucceededData = { attempt: number; status_code: number };
/** `spent: false`: a chat provider's rate limit; this attempt does not count toward the retry schedule. */
export type DeliveryRetryScheduledData = { attempt: number; next_attempt_at: string; reason: AttemptReason; spent?: false };
export type DeliveryFailedData = { attempts: number; reason: DeliveryFailureReason };
/** Why an attempt was held back without being made (and without being spent). */
export type DeferralReason = 'endpoint_paused' | 'circuit_open';
export type DeliveryDeferredData = { attempt: number; reason: DeferralReason };
/**
 * Someone asked for the delivery to be sent again outside its schedule: a manual retry
 * (`replay_id` null) or a replay job's page. Who asked goes in the metadata (actor). `attempt` is
 * the attempt number the dispatch command asks for; the attempt itself records what happened.
 */
export type DeliveryRequeuedData = { attempt: number; replay_id: string | null };

export type DeliveryScheduled = DomainEvent<'DeliveryScheduled', DeliveryScheduledData>;
export type DeliveryAttemptedV1 = DomainEvent<'DeliveryAttempted', DeliveryAttemptedV1Data, 1>;
export type DeliveryAttemptedV2 = DomainEvent<'DeliveryAttempted', DeliveryAttemptedData, 2>;
export type DeliveryAttemptedV3 = DomainEvent<'DeliveryAttempted', DeliveryAttemptedV3Data, 3>;
/** Every version stays in the store for good: readers tell them apart by `schema_version`. */
export type DeliveryAttempted = DeliveryAttemptedV1 | DeliveryAttemptedV2 | DeliveryAttemptedV3;
export type DeliverySucceeded = DomainEvent<'DeliverySucceeded', DeliverySucceededData>;
export type DeliveryRetryScheduled = DomainEvent<'DeliveryRetryScheduled', DeliveryRetryScheduledData>;
export type DeliveryFailed = DomainEvent<'DeliveryFailed', DeliveryFailedData>;
export type DeliveryDeferred = DomainEvent<'DeliveryDeferred', DeliveryDeferredData>;
export type DeliveryRequeued = DomainEvent<'DeliveryRequeued', DeliveryRequeuedData>;

export type DeliveryEvent =
  | DeliveryScheduled
  | DeliveryAttempted
  | DeliverySucceeded
  | DeliveryRetryScheduled
  | DeliveryFailed
  | DeliveryDeferred
  | DeliveryRequeued;

/** The stream a delivery's events live in. */
export function deliveryStreamId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

export function deliveryScheduled(data: {
  readonly delivery_id: string;
  readonly message_id: string;
  readonly endpoint_id: string;
  readonly event_type: string;
  readonly tenant_id?: string | null;
}): DeliveryScheduled {
  return {
    type: DeliveryEventType.DeliveryScheduled,
    schema_version: 1,
    data: {
      delivery_id: data.delivery_id,
      message_id: data.message_id,
      endpoint_id: data.endpoint_id,
      event_type: data.event_type,
      tenant_id: data.tenant_id ?? null,
    },
  };
}

export function deliveryFailed(data: DeliveryFailedData): DeliveryFailed {
  return { type: DeliveryEventType.DeliveryFailed, schema_version: 1, data: { attempts: data.attempts, reason: data.reason } };
}

export function deliveryDeferred(data: DeliveryDeferredData): DeliveryDeferred {
  return { type: DeliveryEventType.DeliveryDeferred, schema_version: 1, data: { attempt: data.attempt, reason: data.reason } };
}

export function deliveryRequeued(data: DeliveryRequeuedData): DeliveryRequeued {
  return { type: DeliveryEventType.DeliveryRequeued, schema_version: 1, data: { attempt: data.attempt, replay_id: data.replay_id } };
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(DeliveryEventType));

/**
 * A stored event as a delivery event, or null for a type this release does not know. Every type is
 * at schema_version 1 but DeliveryAttempted, which is 1, 2 or 3 as stored: a version 1 cannot be
 * upcast (its request was never recorded, and its body is plain text, not sealed), and a version 2
 * does not name its endpoint, so each is read as it is.
 */
export function readDeliveryEvent(stored: { readonly type: string; readonly data: unknown; readonly schema_version?: number }): DeliveryEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  const attempted = stored.type === DeliveryEventType.DeliveryAttempted;
  const version = attempted && (stored.schema_version === 2 || stored.schema_version === 3) ? stored.schema_version : 1;
  return { type: stored.type, schema_version: version, data: stored.data } as DeliveryEvent;
}

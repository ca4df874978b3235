import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';
import type { AnyMessageReceived, MessagePayloadPreservedData, MessageReceivedV2 } from './message-events';
import { MessageEventType } from './message-events';

/**
 * A received message as every reader sees it, whatever its schema version: exactly one of
 * `payload` (plain text: a version 1 or 2 event in a store migration 1732400000069 has not sealed
 * yet) and `sealed_payload` (version 3, or sealed by that migration) is set.
 */
export interface ReceivedMessage {
  readonly id: string;
  readonly type: string;
  /** ISO-8601 time the event was accepted. */
  readonly timestamp: string;
  readonly tenant_id: string;
  readonly channels: string[] | null;
  readonly payload: string | null;
  readonly sealed_payload: string | null;
}

/** Reads a MessageReceived of any schema version as a {@link ReceivedMessage}. */
export function receivedMessage(event: AnyMessageReceived): ReceivedMessage {
  if (event.schema_version === 3 || event.schema_version === 4 || event.schema_version === 5) {
    const { id, type, timestamp, tenant_id, channels, sealed_payload } = event.data;
    return { id, type, timestamp, tenant_id, channels, payload: null, sealed_payload };
  }
  const { payload, ...rest } = upcastMessageReceived(event).data;
  return { ...rest, payload, sealed_payload: null };
}

/** The payload a MessagePayloadPreserved gives back: plain, or sealed by migration 1732400000069. */
export function preservedPayload(data: MessagePayloadPreservedData): { readonly payload: string | null; readonly sealed_payload: string | null } {
  return data.sealed_payload !== undefined ? { payload: null, sealed_payload: data.sealed_payload } : { payload: data.payload ?? null, sealed_payload: null };
}

/**
 * Reads a plaintext MessageReceived (schema version 1 or 2) as version 2.
 *
 * A version 1 event cannot give the published bytes back: the store kept its `data` as jsonb,
 * which reorders keys (shortest first), drops duplicate keys and whitespace, and the driver's
 * JSON.parse respells numbers (`1.0` → `1`, `1e2` → `100`). Its payload is that value
 * re-serialised with JSON.stringify — the same JSON value, not necessarily the same text as the
 * `messages.data` written beside it. The published bytes of such a message are in the later
 * MessagePayloadPreserved on its stream (migration 1732400000050 appended one from `messages.data`
 * to every stream whose MessageReceived is version 1): evolve and the messages projector take the
 * payload from that event, so `messages` rebuilds byte-identical all the same.
 */
export function upcastMessageReceived(event: Exclude<AnyMessageReceived, { schema_version: 3 | 4 | 5 }>): MessageReceivedV2 {
  if (event.schema_version === 2) return event;
  const { data, tenant_id, ...rest } = event.data;
  return {
    type: MessageEventType.MessageReceived,
    schema_version: 2,
    // Before tenants existed an event named none; the tenancy migration moved those rows to the default tenant.
    data: { ...rest, payload: JSON.stringify(data), tenant_id: tenant_id ?? DEFAULT_TENANT },
  };
}

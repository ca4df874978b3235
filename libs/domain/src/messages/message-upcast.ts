import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';
import { AnyMessageReceived, MessageEventType, MessageReceived } from './message-events';

/**
 * Reads a MessageReceived of any schema version as the current one.
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
export function upcastMessageReceived(event: AnyMessageReceived): MessageReceived {
  if (event.schema_version === 2) return event;
  const { data, tenant_id, ...rest } = event.data;
  return {
    type: MessageEventType.MessageReceived,
    schema_version: 2,
    // Before tenants existed an event named none; the tenancy migration moved those rows to the default tenant.
    data: { ...rest, payload: JSON.stringify(data), tenant_id: tenant_id ?? DEFAULT_TENANT },
  };
}

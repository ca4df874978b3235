import type { MessageEvent } from './message-events';
import { preservedPayload, ReceivedMessage, receivedMessage } from './message-upcast';

/**
 * A message is accepted once and never changes: its state is whether it was, and what. A
 * MessagePayloadPreserved does not change the message either: it gives back the exact text of a
 * version 1 event's payload, which the store could not keep.
 */
export type MessageState = { readonly received: false } | { readonly received: true; readonly message: ReceivedMessage };

export const initialMessageState: MessageState = Object.freeze({ received: false });

export function evolveMessage(state: MessageState, event: MessageEvent): MessageState {
  switch (event.type) {
    case 'MessageReceived':
      return { received: true, message: receivedMessage(event) };
    case 'MessagePayloadPreserved':
      return state.received ? { received: true, message: { ...state.message, ...preservedPayload(event.data) } } : state;
    default:
      return state;
  }
}

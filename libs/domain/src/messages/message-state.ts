import type { MessageEvent, MessageReceivedData } from './message-events';
import { upcastMessageReceived } from './message-upcast';

/** A message is accepted once and never changes: its state is whether it was, and what. */
export type MessageState = { readonly received: false } | { readonly received: true; readonly message: Readonly<MessageReceivedData> };

export const initialMessageState: MessageState = Object.freeze({ received: false });

export function evolveMessage(state: MessageState, event: MessageEvent): MessageState {
  switch (event.type) {
    case 'MessageReceived':
      return { received: true, message: upcastMessageReceived(event).data };
    default:
      return state;
  }
}

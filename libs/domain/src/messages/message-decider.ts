import { Decider, DomainRuleError } from '../domain-event';
import type { MessageCommand } from './message-commands';
import { MessageEvent, MessageReceived, messageReceived, SourcedMessageReceived } from './message-events';
import { MessageState, evolveMessage, initialMessageState } from './message-state';

/**
 * A message's rules: accepted once. A second ReceiveMessage for the same tenant and id is the
 * publisher retrying, which ingest answers by dispatching what the first one scheduled, so it is
 * a conflict here rather than a second event. The payload text is checked, and only its sealed
 * form recorded: the store never holds a payload in plain text.
 */
export const messageDecider: Decider<MessageCommand, MessageState, MessageEvent> = {
  initialState: initialMessageState,
  decide(command, state): readonly (MessageReceived | SourcedMessageReceived)[] {
    if (state.received) throw new DomainRuleError('conflict', `message ${command.data.id} was already received`);
    if (!isJsonObjectText(command.data.payload)) throw new DomainRuleError('invalid', 'data must be a JSON object', 'data');
    const { payload: _text, ...sealed } = command.data;
    return [messageReceived(sealed)];
  },
  evolve: evolveMessage,
};

function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

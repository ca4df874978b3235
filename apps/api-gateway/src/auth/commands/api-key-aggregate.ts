import { API_KEY_STREAM_TYPE, ApiKeyCommand, ApiKeyEvent, ApiKeyState, apiKeyDecider, readApiKeyEvent } from '@hookledger/domain';
import type { Aggregate } from '@hookledger/event-store';

/** How the store runs a key's commands: its stream type, its rules, its reader of stored events. */
export const apiKeyAggregate: Aggregate<ApiKeyCommand, ApiKeyState, ApiKeyEvent> = {
  streamType: API_KEY_STREAM_TYPE,
  decider: apiKeyDecider,
  read: readApiKeyEvent,
};

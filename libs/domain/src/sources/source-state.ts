import { keysAfterRotation } from '../endpoints/endpoint-signing-keys';
import type { SourceEvent, SourceKeyReference, SourceType } from './source-events';

/** A source as its stream tells it: absent until created, and deleted for good. */
export type SourceState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'deleted';
      readonly id: string;
      readonly tenant_id: string;
      readonly type: SourceType;
      readonly name: string;
      /** Newest first: the keys a request's signature is checked against. */
      readonly keys: readonly SourceKeyReference[];
    };

export const initialSourceState: SourceState = { status: 'absent' };

export function evolveSource(state: SourceState, event: SourceEvent): SourceState {
  switch (event.type) {
    case 'SourceCreated': {
      const { source_id, tenant_id, type, name, secret_key_id } = event.data;
      return { status: 'active', id: source_id, tenant_id, type, name, keys: [{ key_id: secret_key_id, expires_at: null }] };
    }
    case 'SourceUpdated':
      return state.status === 'absent' ? state : { ...state, ...event.data.changes };
    case 'SourceSecretRotated':
      return state.status === 'absent' ? state : { ...state, keys: keysAfterRotation(state.keys, event.data.secret_key_id, event.data) };
    case 'SourceDeleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' };
    default:
      return state;
  }
}

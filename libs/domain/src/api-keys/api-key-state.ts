import type { ApiKeyEvent, ApiKeyRole } from './api-key-events';

export interface ApiKeyState {
  readonly status: 'none' | 'active' | 'revoked';
  readonly id: string | null;
  readonly name: string;
  readonly role: ApiKeyRole | null;
  readonly tenant_id: string | null;
  readonly prefix: string | null;
  readonly rate_limit_per_s: number | null;
  /** ISO-8601; null = never. */
  readonly expires_at: string | null;
}

export const initialApiKeyState: ApiKeyState = Object.freeze({
  status: 'none',
  id: null,
  name: '',
  role: null,
  tenant_id: null,
  prefix: null,
  rate_limit_per_s: null,
  expires_at: null,
});

/**
 * Portal tokens are minted per portal session, so the API forgets one a day after it expired
 * (it answered 404 for it, as it did when the row was pruned). The store keeps its events; the
 * read side and `decide` apply this rule, so the projection stays a pure function of the events
 * and rebuilds to the same rows whenever it runs.
 */
export const PORTAL_TOKEN_FORGOTTEN_AFTER_MS = 24 * 60 * 60 * 1000;

export function isForgottenPortalToken(state: ApiKeyState, now: Date): boolean {
  return state.role === 'portal' && state.expires_at !== null && Date.parse(state.expires_at) + PORTAL_TOKEN_FORGOTTEN_AFTER_MS < now.getTime();
}

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyCreated':
      return { status: 'active', ...event.data };
    case 'ApiKeyRevoked':
      return { ...state, status: 'revoked' };
    default:
      return state;
  }
}

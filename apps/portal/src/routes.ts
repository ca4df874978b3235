/**
 * Hash routes (#/endpoints/ep_1): the gateway serves one index.html at /portal/, and the fragment,
 * like the token before it, never reaches the server.
 */
export type Route =
  | { page: 'endpoints' }
  | { page: 'new-endpoint' }
  | { page: 'endpoint'; id: string; tab: 'overview' | 'secret' | 'health' | 'deliveries' }
  | { page: 'edit-endpoint'; id: string }
  | { page: 'delivery'; id: string };

const TABS = ['overview', 'secret', 'health', 'deliveries'] as const;

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'endpoints' && parts[1] === 'new') return { page: 'new-endpoint' };
  if (parts[0] === 'endpoints' && parts[1] && parts[2] === 'edit') return { page: 'edit-endpoint', id: parts[1] };
  if (parts[0] === 'endpoints' && parts[1]) {
    const tab = TABS.find((name) => name === parts[2]) ?? 'overview';
    return { page: 'endpoint', id: parts[1], tab };
  }
  if (parts[0] === 'deliveries' && parts[1]) return { page: 'delivery', id: parts[1] };
  return { page: 'endpoints' };
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

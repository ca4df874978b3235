/**
 * The portal token arrives once, in the link's fragment (#token=…), which browsers never send to a
 * server. We keep it in sessionStorage (this tab only) and drop it from the address bar at once, so
 * it stays out of history, bookmarks, Referer headers and server logs.
 */
const STORAGE_KEY = 'hookledger.portal.token';

export function takeTokenFromLocation(): string | null {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const fresh = fragment.get('token');
  if (fresh) {
    sessionStorage.setItem(STORAGE_KEY, fresh);
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/endpoints`);
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

import type { IncomingMessage } from 'node:http';

/** The ingress's routes (`/in/:source_id`): public, raw-bodied, and outside the JSON API's middlewares. */
export const INGRESS_PREFIX = 'in';

export function isIngressRequest(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url.startsWith(`/${INGRESS_PREFIX}/`) || url === `/${INGRESS_PREFIX}`;
}

import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import serveStatic from 'serve-static';
import type { HookledgerConfig } from '@hookledger/config';
import { problem } from '@hookledger/observability';

export const PORTAL_PATH = '/portal';

/**
 * The portal's policy: its own scripts and styles only (no inline script, so an injected tag
 * cannot run), API calls to its own origin, logos from any https host. Framing is off unless
 * HOOKS_PORTAL_FRAME_ANCESTORS names the customer apps that embed it.
 */
export function portalSecurityHeaders(config: HookledgerConfig): Record<string, string> {
  const ancestors = config.portal.frameAncestors.length > 0 ? config.portal.frameAncestors.join(' ') : "'none'";
  const csp = [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' https: data:", "connect-src 'self'",
    "font-src 'self'", "base-uri 'none'", "form-action 'none'", `frame-ancestors ${ancestors}`,
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    // The token travels in the fragment, which browsers never send; no-referrer keeps even the path to itself.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    ...(config.portal.frameAncestors.length === 0 ? { 'X-Frame-Options': 'DENY' } : {}),
  };
}

/** `<dist>/portal`, next to `<dist>/apps/api-gateway/main.js`, unless a test names its own build. */
export function portalDirectory(config: HookledgerConfig): string {
  return config.portal.dir ?? join(__dirname, '..', '..', 'portal');
}

/**
 * Serves the customer portal's build at /portal, before Nest's routes: public (the app itself
 * authenticates its API calls with the token from the fragment), never JSON. Hashed assets are
 * cached for good; index.html never, so a new build reaches browsers at once. A path without a
 * file extension is one of the app's own routes and gets index.html.
 */
export function portalHandler(config: HookledgerConfig): RequestHandler {
  const directory = portalDirectory(config);
  const headers = portalSecurityHeaders(config);
  const assets = serveStatic(directory, {
    index: false,
    fallthrough: true,
    redirect: false,
    immutable: true,
    maxAge: '365d',
    setHeaders: (response, path) => {
      if (path.endsWith('.html')) response.setHeader('Cache-Control', 'no-store');
    },
  });
  const sendIndex = (response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    response.sendFile(join(directory, 'index.html'), { dotfiles: 'deny' }, (error) => { if (error) next(error); });
  };

  return (request: Request, response: Response, next: NextFunction) => {
    response.set(headers);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendProblem(response, 405, `${PORTAL_PATH} only answers GET and HEAD.`);
    }
    // Relative, so a proxy's path prefix (HOOKS_PUBLIC_URL https://host/base) stays in the address.
    if (request.originalUrl.split('?')[0] === PORTAL_PATH) return response.redirect(301, 'portal/');
    if (!existsSync(join(directory, 'index.html'))) {
      return sendProblem(response, 503, 'The customer portal is not built into this installation; run `npm run build` and restart the api-gateway.');
    }
    assets(request, response, () => {
      if (extname(request.path) !== '') return sendProblem(response, 404, `${PORTAL_PATH}${request.path} does not exist.`);
      sendIndex(response, next);
    });
  };
}

function sendProblem(response: Response, status: number, detail: string): void {
  response.status(status).type('application/problem+json').send(JSON.stringify(problem(status, detail)));
}

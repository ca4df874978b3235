import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';
import type { TestSystem } from './test-system';

const ROOT = join(__dirname, '..', '..', '..');
const PORTAL_DIST = join(ROOT, process.env.HOOKLEDGER_DIST || 'dist', 'portal');
/** Debian's chromium: the tests never download a browser (.ci/run installs it with apt-get). */
export const CHROMIUM = process.env.HOOKLEDGER_CHROMIUM || '/usr/bin/chromium';
/** The policy the gateway serves the portal with; the fallback server below sends the same. */
export const PORTAL_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  // Loaded here, not at the top, so the many specs importing @hookledger/testing never load it.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface PortalLink {
  readonly url: string;
  readonly token: string;
  /** The api-key id of the token, for DELETE /v1/api-keys/:id. */
  readonly id: string;
}

/**
 * Where a browser opens the portal and a link for `tenant`, minted the way an operator would:
 * POST /v1/tenants/:id/portal-link when the gateway has it, else a portal-token and the URL the
 * link would carry. A gateway that does not serve /portal/ yet is fronted by a small server that
 * serves the built files under the same CSP and passes everything else to the gateway, so the
 * browser still sees one origin.
 */
export class PortalSite {
  private constructor(readonly base: string, private readonly server: Server | null) {}

  static async open(system: TestSystem): Promise<PortalSite> {
    const served = await fetch(`${system.apiUrl}/portal/`).then((response) => response.status === 200, () => false);
    if (served) return new PortalSite(system.apiUrl, null);
    if (!existsSync(join(PORTAL_DIST, 'index.html'))) throw new Error(`${PORTAL_DIST}/index.html is missing: run "npm run build" first`);
    const server = createServer((req, res) => void fallback(system.apiUrl, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new PortalSite(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
  }

  /** True when the gateway itself serves the portal (the fallback server is not in use). */
  get servedByGateway(): boolean {
    return this.server === null;
  }

  async link(system: TestSystem, tenant: string, key: string, expiresInS?: number): Promise<PortalLink> {
    const body = expiresInS === undefined ? {} : { expires_in_s: expiresInS };
    const link = await system.request('POST', `/v1/tenants/${tenant}/portal-link`, { body, key });
    if (link.status === 201) {
      // The link is built from HOOKS_PUBLIC_URL; the browser reaches this test's gateway.
      const url = new URL(link.body.url as string);
      return { url: `${this.base}${url.pathname}${url.hash}`, token: link.body.token, id: link.body.id };
    }
    const issued = await system.request('POST', `/v1/tenants/${tenant}/portal-token`, { body, key });
    if (issued.status !== 201) throw new Error(`portal-token answered ${issued.status}: ${JSON.stringify(issued.body)}`);
    return { url: `${this.base}/portal/#token=${issued.body.token}`, token: issued.body.token, id: issued.body.id };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

async function fallback(api: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  try {
    if (path === '/portal') return void res.writeHead(301, { location: '/portal/' }).end();
    if (path.startsWith('/portal/')) {
      const file = normalize(path.slice('/portal/'.length) || 'index.html');
      if (file.startsWith('..') || !TYPES[extname(file)] || !existsSync(join(PORTAL_DIST, file))) return void res.writeHead(404).end();
      const content = await readFile(join(PORTAL_DIST, file));
      return void res.writeHead(200, { 'content-type': TYPES[extname(file)], 'content-security-policy': PORTAL_CSP, 'referrer-policy': 'no-referrer' }).end(content);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as [string, string][]);
    const answer = await fetch(`${api}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const copied: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)) copied[name] = value;
    });
    res.writeHead(answer.status, copied).end(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
  }
}

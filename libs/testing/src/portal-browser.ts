import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { TestSystem } from './test-system';

/** Debian's chromium: the tests never download a browser (.ci/run installs it with apt-get). */
export const CHROMIUM = process.env.HOOKLEDGER_CHROMIUM || '/usr/bin/chromium';
/** The policy the gateway serves the portal with (HOOKS_PORTAL_FRAME_ANCESTORS unset). */
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
 * Where a browser opens the portal — the api-gateway serves it at /portal/ — and a link for
 * `tenant`, minted the way an operator would: POST /v1/tenants/:id/portal-link.
 */
export class PortalSite {
  private constructor(readonly base: string) {}

  static async open(system: TestSystem): Promise<PortalSite> {
    const answer = await fetch(`${system.apiUrl}/portal/`);
    if (answer.status !== 200) throw new Error(`the api-gateway answered ${answer.status} for /portal/: run "npm run build" first`);
    return new PortalSite(system.apiUrl);
  }

  async link(system: TestSystem, tenant: string, key: string, expiresInS?: number): Promise<PortalLink> {
    const body = expiresInS === undefined ? {} : { expires_in_s: expiresInS };
    const link = await system.request('POST', `/v1/tenants/${tenant}/portal-link`, { body, key });
    if (link.status !== 201) throw new Error(`portal-link answered ${link.status}: ${JSON.stringify(link.body)}`);
    // The link is built from HOOKS_PUBLIC_URL; the browser reaches this test's gateway.
    const url = new URL(link.body.url as string);
    return { url: `${this.base}${url.pathname}${url.hash}`, token: link.body.token, id: link.body.id };
  }
}

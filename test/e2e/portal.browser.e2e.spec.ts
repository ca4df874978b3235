import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, PortalLink, PortalSite, TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';

/**
 * Issue 15: the customer portal in a real browser (Debian's chromium through playwright-core),
 * against the real system — every click goes through the public API with the portal token. Each
 * page is saved as a screenshot in test-artifacts/portal/.
 */
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'portal');
const README_IMAGE = join(__dirname, '..', '..', 'docs', 'images', 'portal-endpoint.png');

describe('customer portal in a browser', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let site: PortalSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let link: PortalLink;
  let adminKey: string;
  /** CSP violations and uncaught errors: the portal must run under its policy without any. */
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [system, receiver] = await Promise.all([TestSystem.start(), WebhookReceiver.start()]);
    const branding = { name: 'Acme Webhooks', accent_color: '#7b2cbf' };
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'acme', name: 'Acme', branding } })).status).toBe(201);
    const key = await system.request('POST', '/v1/api-keys', { body: { role: 'admin', tenant_id: 'acme', name: 'acme admin' } });
    adminKey = key.body.key;
    expect((await system.request('POST', '/v1/event-types', { body: { name: 'invoice.paid', description: 'An invoice was paid' } })).status).toBe(201);
    site = await PortalSite.open(system);
    link = await site.link(system, 'acme', adminKey);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // A refused request (401 for the revoked link, 404 from an older gateway) is logged by the browser itself; anything else is ours.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await system?.stop();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('opens the link, keeps the token out of the address bar and shows the empty state', async () => {
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'No endpoints yet' }).waitFor();
    expect(page.url()).not.toContain(link.token);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Endpoints');
    // The tenant's branding, from GET /v1/portal/session: its name in the header, its accent colour on :root.
    await page.locator('.brand', { hasText: 'Acme Webhooks' }).waitFor();
    expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")).toBe('#7b2cbf');
    await shot('endpoints-empty');
  });

  it('shows the API\'s problem detail for a bad URL, then adds an endpoint through the form', async () => {
    await page.getByRole('link', { name: 'Add your first endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill('not a url');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('alert').filter({ hasText: 'url' }).waitFor();
    await shot('endpoint-form-error');

    await page.getByLabel('Endpoint URL').fill(receiver.url('/portal-hook'));
    await page.getByLabel('Description').fill('Billing receiver');
    await page.getByLabel('invoice.paid').check();
    await page.getByLabel('Other types or wildcards, comma-separated').fill('webhook.*');
    await page.getByText('Advanced options').click();
    await page.getByLabel('Retry schedule (seconds between attempts, comma-separated)').fill('5, 60');
    await shot('endpoint-form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: receiver.url('/portal-hook') }).waitFor();

    const endpoints = await system.request('GET', '/v1/endpoints', { key: adminKey });
    expect(endpoints.body.data).toEqual([expect.objectContaining({ description: 'Billing receiver', event_types: ['invoice.paid', 'webhook.*'], retry_schedule: [5, 60] })]);
  });

  it('sends a test event and shows the answer, then the delivery with its attempts', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Delivered.*Status200.*Time\d+ ms/);
    await result.getByLabel('Response body').getByText('ok', { exact: true }).waitFor();
    expect(receiver.received('/portal-hook')).toHaveLength(1);
    await shot('endpoint-test');

    await page.getByRole('link', { name: 'See the delivery and its attempts' }).click();
    await page.getByRole('heading', { name: 'Delivery of webhook.test' }).waitFor();
    const attempt = page.getByRole('list', { name: 'Attempts' }).getByRole('listitem');
    await attempt.filter({ hasText: 'Attempt 1' }).waitFor();
    expect(await attempt.textContent()).toMatch(/Status200 http_2xx.*Duration\d+ ms/);
    await page.getByText('Response body').click();
    await page.getByText('ok', { exact: true }).waitFor();
    await shot('delivery');

    await page.getByRole('button', { name: 'Retry now' }).click();
    await receiver.waitForCount('/portal-hook', 2);
    const deliveryId = page.url().split('/').at(-1);
    await eventually(async () => ((await system.request('GET', `/v1/deliveries/${deliveryId}/attempts`, { key: adminKey })).body.data.length === 2 ? true : undefined), 'the manual attempt');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await attempt.filter({ hasText: 'Attempt 2 (manual)' }).waitFor();

    await page.getByRole('link', { name: 'Deliveries of this endpoint' }).click();
    await page.getByRole('table').getByText('webhook.test').waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No deliveries match').waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('table').getByText('webhook.test').waitFor();
    await shot('deliveries');

    await page.getByLabel('Since').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Replay failures' }).click();
    await page.getByText('Replay started: 0 deliveries will be sent again.').waitFor();
  });

  it('reveals the signing secret, rotates it with a grace period and shows a verification snippet', async () => {
    await page.getByRole('link', { name: 'Signing secret' }).click();
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = page.getByLabel('Secret (standard)');
    await secret.waitFor();
    const before = await secret.inputValue();
    expect(before).toMatch(/^whsec_/);
    await page.getByText("require('standardwebhooks')").waitFor();

    await page.getByLabel('Grace period').selectOption('3600');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('The secret was rotated').waitFor();
    const after = await secret.inputValue();
    expect(after).toMatch(/^whsec_/);
    expect(after).not.toBe(before);
    await page.getByText('Still signing during the grace period').waitFor();
    const stored = await system.request('GET', `/v1/endpoints/${page.url().split('/').at(-2)}/secret`, { key: adminKey });
    expect(stored.body).toMatchObject({ secret: after, previous: [{ secret: before }] });
    await shot('secret');
  });

  it('shows the endpoint health: circuit state and the charts', async () => {
    await page.getByRole('link', { name: 'Health' }).click();
    await page.getByRole('heading', { name: 'Health', exact: true }).waitFor();
    await page.getByText('closed', { exact: true }).waitFor();
    const endpointId = page.url().split('/').at(-2);
    const series = await system.request('GET', `/v1/endpoints/${endpointId}/health/series?since=${new Date(Date.now() - 86_400_000).toISOString()}&buckets=48`, { key: adminKey });
    // The test attempt above is charted: success rate and latency, one canvas each.
    expect(series.status).toBe(200);
    expect(series.body.points.some((point: { requests: number }) => point.requests > 0)).toBe(true);
    await page.locator('.chart canvas').nth(1).waitFor();
    await shot('health');
  });

  it('edits, pauses and resumes the endpoint', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    const description = page.getByLabel('Description');
    await description.waitFor();
    expect(await description.inputValue()).toBe('Billing receiver');
    await description.fill('Billing receiver (EU)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Billing receiver (EU)').waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await page.getByText('paused', { exact: true }).waitFor();
    await shot('endpoint-paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    const stored = await system.request('GET', '/v1/endpoints', { key: adminKey });
    expect(stored.body.data).toEqual([expect.objectContaining({ description: 'Billing receiver (EU)', paused: false })]);
  });

  it('fits a 375 px wide phone screen', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByRole('list', { name: 'Your endpoints' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await shot('endpoints-375px');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('endpoints');
    // The README's picture is refreshed on request only: every run has other ports, and the tree stays clean.
    if (process.env.HOOKLEDGER_UPDATE_README_IMAGES === 'true') mkdirSync(join(README_IMAGE, '..'), { recursive: true });
    if (process.env.HOOKLEDGER_UPDATE_README_IMAGES === 'true') copyFileSync(join(ARTIFACTS, 'endpoint-test.png'), README_IMAGE);
  });

  it('deletes the endpoint once confirmed, back to the empty list', async () => {
    await page.getByRole('link', { name: receiver.url('/portal-hook') }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'No endpoints yet' }).waitFor();
    expect((await system.request('GET', '/v1/endpoints', { key: adminKey })).body.data).toEqual([]);
  });

  it('sends a revoked link, and an unknown one, to the "link expired" page', async () => {
    expect((await system.request('DELETE', `/v1/api-keys/${link.id}`, { key: adminKey })).status).toBe(204);
    await page.reload();
    await page.getByRole('heading', { name: 'This portal link has expired or was revoked' }).waitFor();
    await shot('link-expired');

    const stranger = await context.newPage();
    await stranger.goto(`${site.base}/portal/#token=hlp_not-a-real-token`);
    await stranger.getByRole('heading', { name: 'This portal link has expired or was revoked' }).waitFor();
    expect(stranger.url()).not.toContain('hlp_');
    await stranger.close();
  });
});

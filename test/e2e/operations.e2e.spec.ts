import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, TestSystem } from '@hookledger/testing';
import { eventually } from './eventually';

const ROOT = join(__dirname, '..', '..');

function runApp(app: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [join(ROOT, 'dist', 'apps', app, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('operating the apps', () => {
  describe('configuration', () => {
    it('stops an app at start with a message naming each bad variable', () => {
      const result = runApp('api-gateway', { HOOKS_ADMIN_API_KEY: 'long-enough-admin-key', HOOKS_API_PORT: 'eighty', NATS_URL: 'http://nats', HOOKS_ALLOW_HTTP: 'maybe' });
      expect(result.status).toBe(78);
      expect(result.stderr).toContain('HOOKS_API_PORT');
      expect(result.stderr).toContain('NATS_URL');
      expect(result.stderr).toContain('HOOKS_ALLOW_HTTP');
    });

    it('refuses to start the API without its admin key, and production without an encryption key', () => {
      const noKey = runApp('api-gateway', { NODE_ENV: 'development' });
      expect(noKey.status).toBe(78);
      expect(noKey.stderr).toContain('HOOKS_ADMIN_API_KEY is required');
      const production = runApp('dispatcher', { NODE_ENV: 'production' });
      expect(production.status).toBe(78);
      expect(production.stderr).toContain('HOOKS_ENCRYPTION_KEY');
    });
  });

  describe('health', () => {
    let system: TestSystem;
    let nats: ReturnType<typeof spawn> | null = null;
    let natsDir: string;

    beforeAll(async () => {
      // A NATS of this test's own, so that stopping it harms nobody else.
      const port = await freePort();
      natsDir = mkdtempSync(join(tmpdir(), 'hl-nats-'));
      nats = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', natsDir], { stdio: 'ignore' });
      await eventually(async () => {
        const socket = await new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => { s.destroy(); resolve(true); });
          s.once('error', () => resolve(false));
        });
        return socket || undefined;
      }, 'the private nats-server');
      system = await TestSystem.start({ apps: ['api-gateway'], env: { NATS_URL: `nats://127.0.0.1:${port}` } });
    });

    afterAll(async () => {
      nats?.kill('SIGKILL');
      await system?.stop();
      rmSync(natsDir, { recursive: true, force: true });
    });

    /** A public answer that maps nothing: no address, port, URL or driver error, only up or down per check. */
    function expectNothingRevealed(body: unknown, checks: Record<string, 'up' | 'down'>): void {
      const { timestamp: _timestamp, version: _version, event_types: eventTypes, ...rest } = body as Record<string, unknown>;
      expect(eventTypes === null || typeof eventTypes === 'number').toBe(true);
      expect(rest).toEqual({
        status: Object.values(checks).every((status) => status === 'up') ? 'ok' : 'error',
        service: 'api-gateway',
        checks: Object.fromEntries(Object.entries(checks).map(([name, status]) => [name, { status }])),
      });
      // The timestamp aside (its minutes and seconds look like a port).
      expect(JSON.stringify(rest)).not.toMatch(/127\.0\.0\.1|localhost|:\d{2,5}\b|nats:\/\/|postgres(ql)?:\/\/|ECONN|refused|timeout|accepting connections/i);
    }

    it('shows nothing but a status per check while up, and names each development-only setting in one warning at start', async () => {
      const health = await system.request('GET', '/health', { key: null });
      expect(health.status).toBe(200);
      expectNothingRevealed(health.body, { postgres: 'up', nats: 'up' });
      const warnings = system.logs('api-gateway').split('\n').filter((line) => line.includes('UNSAFE FOR PRODUCTION'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0])).toMatchObject({ level: 'warn', unsafe_settings: [
        expect.stringMatching(/^HOOKS_ALLOW_PRIVATE_NETWORKS=true/), expect.stringMatching(/^HOOKS_ALLOW_HTTP=true/), expect.stringMatching(/^HOOKS_ENCRYPTION_KEY: .*development key/),
        expect.stringMatching(/^HOOKS_LEDGER_SIGNING_KEY: .*development key/),
      ] });
    });

    it('answers 503 naming NATS when the bus is down, and refuses to accept events', async () => {
      expect((await system.request('GET', '/health', { key: null })).status).toBe(200);
      nats?.kill('SIGKILL');
      nats = null;
      const health = await eventually(async () => {
        const answer = await system.request('GET', '/health', { key: null });
        return answer.status === 503 ? answer : undefined;
      }, 'health to report NATS down');
      expect(health.body).toMatchObject({ status: 'error', service: 'api-gateway', checks: { postgres: { status: 'up' }, nats: { status: 'down' } } });
      expectNothingRevealed(health.body, { postgres: 'up', nats: 'down' });
      // The reason is for the operator, in the log.
      await eventually(async () => system.logs('api-gateway').includes('health check down: nats') || undefined, 'the reason NATS is down to be logged');
      const publish = await system.request('POST', '/v1/events', { body: { type: 'a.b', data: {} } });
      expect(publish.status).toBe(503);
      expect(publish.headers.get('content-type')).toMatch(/problem\+json/);
    });

    it('answers 503 naming Postgres when the database refuses connections', async () => {
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: `${process.env.HOOKLEDGER_TEST_PG_URL}/postgres` });
      await admin.connect();
      try {
        await admin.query(`ALTER DATABASE ${system.database.name} WITH ALLOW_CONNECTIONS false`);
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [system.database.name]);
        const health = await eventually(async () => {
          const answer = await system.request('GET', '/health', { key: null });
          return answer.status === 503 && answer.body.checks.postgres.status === 'down' ? answer : undefined;
        }, 'health to report Postgres down');
        expect(health.body.status).toBe('error');
        expectNothingRevealed(health.body, { postgres: 'down', nats: 'down' });
        await eventually(async () => system.logs('api-gateway').includes('health check down: postgres') || undefined, 'the reason Postgres is down to be logged');
      } finally {
        await admin.query(`ALTER DATABASE ${system.database.name} WITH ALLOW_CONNECTIONS true`);
        await admin.end();
      }
    });
  });
});

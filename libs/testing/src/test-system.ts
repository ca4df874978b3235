import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { createTestDatabase, TestDatabase } from './test-database';
import { deleteStreams, natsUrl, uniqueNamespace } from './test-nats';

export type AppName = 'api-gateway' | 'ingest' | 'dispatcher' | 'scheduler';
export const APPS: readonly AppName[] = ['api-gateway', 'ingest', 'dispatcher', 'scheduler'];

const ROOT = join(__dirname, '..', '..', '..');
/** Where the built apps are: `dist`, or HOOKLEDGER_DIST when parallel work builds into its own folder. */
const DIST = join(ROOT, process.env.HOOKLEDGER_DIST || 'dist');
const PORT_VARIABLE: Record<AppName, string> = {
  'api-gateway': 'HOOKS_API_PORT',
  ingest: 'HOOKS_INGEST_PORT',
  dispatcher: 'HOOKS_DISPATCHER_PORT',
  scheduler: 'HOOKS_SCHEDULER_PORT',
};

export interface ApiAnswer<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

interface RunningApp {
  readonly name: string;
  readonly process: ChildProcess;
  readonly port: number;
  readonly output: string[];
  exited: boolean;
}

/**
 * The whole system as a user runs it: the four built apps as real processes (`dist/apps/<app>/main.js`)
 * on a fresh database and their own NATS namespace, so test files never see each other's work.
 * Processes can be killed and restarted to prove crash safety.
 */
export class TestSystem {
  readonly adminKey = `test-admin-${randomBytes(12).toString('hex')}`;
  private readonly running = new Map<string, RunningApp>();
  private instance = 0;

  private constructor(readonly database: TestDatabase, readonly namespace: string, private readonly env: Record<string, string>) {}

  /** `env` adds to or overrides the defaults below; a variable given as undefined is left unset (e.g. HOOKS_ALLOW_HTTP). */
  static async start(options: { env?: Record<string, string | undefined>; apps?: readonly AppName[] } = {}): Promise<TestSystem> {
    for (const app of APPS) {
      if (!existsSync(join(DIST, 'apps', app, 'main.js'))) throw new Error(`${DIST}/apps/${app}/main.js is missing: run "npm run build" first`);
    }
    const database = await createTestDatabase();
    const namespace = uniqueNamespace();
    const system = new TestSystem(database, namespace, withoutUnset({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      NATS_URL: natsUrl(),
      HOOKS_NATS_NAMESPACE: namespace,
      HOOKS_API_HOST: '127.0.0.1',
      HOOKS_ALLOW_HTTP: 'true',
      HOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKS_SCHEDULER_INTERVAL_MS: '100',
      HOOKS_DB_POOL_SIZE: '5',
      HOOKS_LOG_LEVEL: 'info',
      // Tests drive the API harder than one client would; the throttling test sets its own limits on its keys.
      HOOKS_API_RATE_LIMIT_PER_S: '100000',
      // The heap limit npm start gives the apps (scripts/node-options.js), so the tests run them the same way.
      NODE_OPTIONS: '--max-old-space-size=160',
      ...options.env,
    }));
    system.env.HOOKS_ADMIN_API_KEY = system.adminKey;
    try {
      await Promise.all((options.apps ?? APPS).map((app) => system.startApp(app)));
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get apiUrl(): string {
    const api = this.running.get('api-gateway');
    if (!api) throw new Error('api-gateway is not running');
    return `http://127.0.0.1:${api.port}`;
  }

  /** Starts an app (or another instance of it, named `<app>#<n>`) and waits until its /health answers 200. */
  async startApp(app: AppName, name: string = app): Promise<void> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(DIST, 'apps', app, 'main.js')], {
      env: { PATH: process.env.PATH ?? '', ...this.env, [PORT_VARIABLE[app]]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running: RunningApp = { name, process: child, port, output: [], exited: false };
    child.stdout?.on('data', (chunk: Buffer) => running.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => running.output.push(chunk.toString()));
    child.on('exit', () => (running.exited = true));
    this.running.set(name, running);
    await waitForHealth(running);
  }

  /** Starts one more instance of an app next to the running ones. */
  async addInstance(app: AppName): Promise<string> {
    const name = `${app}#${++this.instance}`;
    await this.startApp(app, name);
    return name;
  }

  /** Kills an app the hard way (default SIGKILL: no shutdown hooks, no draining). */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const app = this.running.get(name);
    if (!app || app.exited) return;
    const exited = new Promise<void>((resolve) => app.process.once('exit', () => resolve()));
    app.process.kill(signal);
    await exited;
    this.running.delete(name);
  }

  /** The operating-system pid of a running app, e.g. to sample its memory from /proc. */
  pid(name: string): number {
    const pid = this.running.get(name)?.process.pid;
    if (pid === undefined) throw new Error(`${name} is not running`);
    return pid;
  }

  logs(name?: string): string {
    return [...this.running.values()].filter((app) => !name || app.name === name).map((app) => app.output.join('')).join('');
  }

  async request<T = any>(method: string, path: string, options: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? this.adminKey : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.apiUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async (app) => {
        if (app.exited) return;
        const exited = new Promise<void>((resolve) => app.process.once('exit', () => resolve()));
        app.process.kill('SIGTERM');
        const timer = setTimeout(() => app.process.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.running.clear();
    await deleteStreams(this.env.NATS_URL, this.namespace).catch(() => undefined);
    await this.database.drop();
  }
}

function withoutUnset(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

async function waitForHealth(app: RunningApp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.exited) throw new Error(`${app.name} exited during start:\n${app.output.join('')}`);
    try {
      const response = await fetch(`http://127.0.0.1:${app.port}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${app.name} did not become healthy within ${timeoutMs} ms:\n${app.output.join('')}`);
}

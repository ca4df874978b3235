'use strict';
// Hookledger as `npm start` runs it, on the bench's own database, NATS namespace and ports: finds or
// starts Postgres and NATS (scripts/infra.js), recreates the database, migrates, runs the four
// built apps as processes, watches their memory, and stops everything it started.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Client } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');
const { appNodeOptions } = require('../scripts/node-options.js');
const { ensureNats, ensurePostgres, DEFAULT_DATABASE_URL, DEFAULT_NATS_URL } = require('../scripts/infra.js');
const { sleep } = require('./clock.js');
const { trackAppends } = require('./pg-stats.js');
const { cpuSecondsOf, memoryOf, serverPids } = require('./proc.js');

const APPS = [
  { name: 'api-gateway', portVariable: 'HOOKS_API_PORT', offset: 0, profiled: true },
  { name: 'ingest', portVariable: 'HOOKS_INGEST_PORT', offset: 1, profiled: true },
  { name: 'dispatcher', portVariable: 'HOOKS_DISPATCHER_PORT', offset: 2, profiled: true },
  { name: 'scheduler', portVariable: 'HOOKS_SCHEDULER_PORT', offset: 3 },
];
const STOP_TIMEOUT_MS = 20_000;

function withDatabase(url, name) {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** V8 heap total/used and external memory (MiB) from an app's Prometheus metrics. */
async function heapOf(port) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const mib = (name) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]) / 2 ** 20);
    return { heapTotal: mib('nodejs_heap_size_total_bytes'), heapUsed: mib('nodejs_heap_size_used_bytes'), external: mib('nodejs_external_memory_bytes') };
  } catch {
    return {};
  }
}

class BenchSystem {
  constructor(options) {
    this.options = options;
    this.infra = [];
    this.apps = [];
    this.databaseUrl = withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, options.database);
    this.natsUrl = process.env.NATS_URL || DEFAULT_NATS_URL;
    this.adminKey = `hlk_bench_${crypto.randomBytes(24).toString('base64url')}`;
    this.apiUrl = `http://127.0.0.1:${options.portBase}`;
    this.failure = null;
  }

  env() {
    const { options } = this;
    return {
      ...process.env,
      NODE_ENV: 'development', // plain http and loopback receivers allowed
      // As npm start runs them: the apps as the least-privileged role the migration creates
      // (docs/database-roles.md), the migration as the owner.
      DATABASE_URL: this.appDatabaseUrl(),
      NATS_URL: this.natsUrl,
      HOOKS_NATS_NAMESPACE: options.namespace,
      HOOKS_API_HOST: '127.0.0.1',
      HOOKS_ADMIN_API_KEY: this.adminKey,
      // The bench measures capacity: the per-key request limit (a policy, 1000/s by default) is lifted.
      HOOKS_API_RATE_LIMIT_PER_S: '1000000',
      ...Object.fromEntries(APPS.map((app) => [app.portVariable, String(options.portBase + app.offset)])),
    };
  }

  async prepare() {
    const data = path.join(this.options.root, '.data');
    this.infra.push(await ensurePostgres(this.databaseUrl, { dataDir: path.join(data, 'postgres') }));
    this.infra.push(await ensureNats(this.natsUrl, { dataDir: path.join(data, 'nats') }));
    await this.dropDatabase();
    await this.deleteStreams();
    await this.run('migrate', path.join(this.options.root, 'dist/cli/migrate.js'));
    this.nc = await connect({ servers: this.natsUrl.split(','), name: 'hookledger-bench' });
    this.jsm = await jetstreamManager(this.nc);
    this.db = new Client({ connectionString: this.databaseUrl });
    await this.db.connect();
    await trackAppends(this.db, this.options.database); // before the apps connect: settings apply at connect
  }

  async versions() {
    const { rows } = await this.db.query('SHOW server_version');
    return { postgres: rows[0].server_version, nats: this.nc.info?.version ?? null };
  }

  async dropDatabase() {
    const admin = new Client({ connectionString: withDatabase(this.databaseUrl, 'postgres') });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${this.options.database.replace(/"/g, '""')}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }

  async deleteStreams() {
    const nc = this.nc ?? (await connect({ servers: this.natsUrl.split(','), name: 'hookledger-bench-cleanup' }));
    try {
      const jsm = await jetstreamManager(nc);
      const prefix = `${this.options.namespace.toUpperCase().replace(/-/g, '_')}_`;
      for await (const stream of jsm.streams.list()) {
        if (stream.config.name.startsWith(prefix)) await jsm.streams.delete(stream.config.name);
      }
    } finally {
      if (nc !== this.nc) await nc.close();
    }
  }

  /** The apps' URL: the owner's with the apps' role as user (the bench's Postgres trusts local connections). */
  appDatabaseUrl() {
    const url = new URL(this.databaseUrl);
    if (url.password) return this.databaseUrl; // a password-protected owner: the bench cannot log in as the role, so the apps run as the owner
    url.username = 'hookledger_app';
    return url.toString();
  }

  run(name, script) {
    const env = { ...this.env(), HOOKS_MIGRATION_DATABASE_URL: this.databaseUrl };
    const child = spawn(process.execPath, [script], { cwd: this.options.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    return new Promise((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} failed (exit ${code}):\n${output}`)))),
    );
  }

  async startApps() {
    this.spawnApps();
    // Last resort when the driver itself dies: leave no app behind.
    process.once('exit', () => this.apps.forEach((app) => app.child.exitCode === null && app.child.kill('SIGKILL')));
    await Promise.all(this.apps.map((app) => this.waitHealthy(app)));
    this.sampler = setInterval(() => this.sampleMemory(), 250);
  }

  /**
   * Spawns the four apps and returns at once (they are not ready yet). An app spawned again after
   * stopApps() keeps its predecessor's memory peaks, so peak RSS covers every process of that app.
   */
  spawnApps() {
    fs.mkdirSync(this.options.outDir, { recursive: true });
    const previous = new Map(this.apps.map((app) => [app.name, app]));
    this.apps = APPS.map((app) => {
      const profile = this.options.cpuProf && app.profiled ? ['--require', path.join(__dirname, 'cpu-profile.js')] : [];
      // Appended to, so a restart keeps the earlier process's log.
      const log = fs.openSync(path.join(this.options.outDir, `${app.name}.log`), previous.has(app.name) ? 'a' : 'w');
      const child = spawn(process.execPath, [...profile, path.join(this.options.root, `dist/apps/${app.name}/main.js`)], {
        cwd: this.options.root,
        env: {
          ...this.env(),
          // As npm start runs them: the heap limit of scripts/node-options.js unless --app-node-options sets one.
          NODE_OPTIONS: appNodeOptions(`${process.env.NODE_OPTIONS ?? ''} ${this.options.appNodeOptions}`.trim()),
          BENCH_CPU_PROF_DIR: this.options.cpuProf,
          BENCH_APP: app.name,
        },
        stdio: ['ignore', log, log],
      });
      fs.closeSync(log);
      const before = previous.get(app.name);
      const running = { ...app, child, port: this.options.portBase + app.offset, peakRss: before?.peakRss ?? 0, windowRss: before?.windowRss ?? 0, stopping: false };
      running.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
      running.exited.then((how) => {
        if (!this.stopping && !running.stopping) this.failure ??= new Error(`${app.name} exited during the bench (${how}); see ${path.join(this.options.outDir, `${app.name}.log`)}`);
      });
      return running;
    });
  }

  /** Stops the apps as the bench always does (SIGTERM, SIGKILL after 20 s) and waits for them to exit. */
  async stopApps() {
    this.sampleMemory();
    await Promise.all(
      this.apps.map(async (app) => {
        app.stopping = true;
        if (app.child.exitCode !== null || app.child.signalCode !== null) return;
        app.child.kill('SIGTERM');
        const killer = setTimeout(() => app.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await app.exited;
        clearTimeout(killer);
      }),
    );
  }

  async waitHealthy(app, timeoutMs = 60_000, intervalMs = 200) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertRunning();
      try {
        const answer = await fetch(`http://127.0.0.1:${app.port}/health`, { signal: AbortSignal.timeout(2000) });
        if (answer.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(intervalMs);
    }
    throw new Error(`${app.name} did not answer /health within ${timeoutMs / 1000} s; see its log in ${this.options.outDir}`);
  }

  assertRunning() {
    if (this.failure) throw this.failure;
  }

  sampleMemory() {
    for (const app of this.apps) {
      const memory = memoryOf(app.child.pid);
      if (!memory || !Number.isFinite(memory.rss)) continue; // gone, or exited and not yet reaped (no VmRSS)
      app.peakRss = Math.max(app.peakRss, memory.rss, memory.hwm || 0);
      app.windowRss = Math.max(app.windowRss ?? 0, memory.rss);
    }
  }

  /** Starts a new window for windowMemory(). */
  resetMemoryWindow() {
    for (const app of this.apps) app.windowRss = 0;
  }

  /** Per app: the highest polled VmRSS since resetMemoryWindow(), and its V8 heap now (from /metrics). */
  async windowMemory() {
    this.sampleMemory();
    const entries = await Promise.all(this.apps.map(async (app) => [app.name, { peakRss: Math.round(app.windowRss), ...(await heapOf(app.port)) }]));
    return Object.fromEntries(entries);
  }

  /** Peak resident memory of each app since it started (VmHWM, and the polled VmRSS maximum). */
  peakMemory() {
    this.sampleMemory();
    return Object.fromEntries(this.apps.map((app) => [app.name, Math.round(app.peakRss)]));
  }

  /**
   * CPU seconds so far per app, per Postgres backend of the bench database and per nats-server
   * (by pid). NATS is shared with whatever else uses that server: its share is an upper bound.
   */
  cpuSnapshot() {
    const apps = Object.fromEntries(this.apps.map((app) => [app.name, cpuSecondsOf(app.child.pid) ?? 0]));
    const pids = serverPids(this.options.database);
    const of = (list) => new Map(list.map((pid) => [pid, cpuSecondsOf(pid) ?? 0]));
    return { apps, postgres: of(pids.postgres), nats: of(pids.nats) };
  }

  /** CPU milliseconds per event, per app, for Postgres and for nats-server, between two snapshots. */
  static cpuPerEvent(before, after, events) {
    const perEvent = (seconds) => Math.round((1e6 * seconds) / events) / 1000;
    const out = Object.fromEntries(Object.entries(after.apps).map(([name, seconds]) => [name, perEvent(seconds - (before.apps[name] ?? 0))]));
    for (const server of ['postgres', 'nats']) {
      let seconds = 0;
      for (const [pid, total] of after[server]) seconds += total - (before[server].get(pid) ?? 0);
      out[server] = perEvent(seconds);
    }
    return out;
  }

  profiledCount() {
    return this.apps.filter((app) => app.profiled).length;
  }

  /** Sends SIGWINCH to the profiled apps: the first starts their CPU profile, the second writes it. */
  toggleProfile() {
    for (const app of this.apps) if (app.profiled) app.child.kill('SIGWINCH');
  }

  async backlog() {
    const streams = `${this.options.namespace.toUpperCase().replace(/-/g, '_')}_COMMANDS`;
    const infos = await Promise.all(['ingest', 'dispatcher'].map((name) => this.jsm.consumers.info(streams, name)));
    return infos.reduce((sum, info) => sum + info.num_pending + info.num_ack_pending, 0);
  }

  /** Waits until ingest and the dispatcher have nothing pending (twice in a row), so runs do not overlap. */
  async quiesce(timeoutMs = 300_000) {
    const deadline = Date.now() + timeoutMs;
    let idle = 0;
    while (idle < 2) {
      this.assertRunning();
      if (Date.now() > deadline) throw new Error(`the system still had work pending after ${timeoutMs / 1000} s`);
      idle = (await this.backlog()) === 0 ? idle + 1 : 0;
      await sleep(200);
    }
  }

  async countEvents(type) {
    const { rows } = await this.db.query('SELECT count(*)::int AS n FROM events WHERE type = $1', [type]);
    return rows[0].n;
  }

  async stop() {
    this.stopping = true;
    clearInterval(this.sampler);
    await this.stopApps();
    await this.db?.end().catch(() => undefined);
    await this.deleteStreams().catch((error) => console.error(`[bench] could not delete the bench streams: ${error.message}`));
    await this.nc?.close().catch(() => undefined);
    if (!this.options.keepDb) await this.dropDatabase().catch((error) => console.error(`[bench] could not drop ${this.options.database}: ${error.message}`));
    while (this.infra.length > 0) await this.infra.pop().stop();
  }
}

module.exports = { BenchSystem };

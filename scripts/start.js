'use strict';
// `npm start` (after `npm run build`): the whole system on one machine. Finds or starts Postgres and
// NATS (scripts/infra.js), migrates, runs the four apps as child processes with their output
// prefixed, and stops everything it started on Ctrl-C / SIGTERM or when one app dies.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { ensureNats, ensurePostgres, DEFAULT_DATABASE_URL, DEFAULT_NATS_URL } = require('./infra.js');
const { appNodeOptions } = require('./node-options.js');

const ROOT = path.resolve(__dirname, '..');
const DATA = path.join(ROOT, '.data');
const KEY_FILE = path.join(DATA, 'admin-api-key');
const SIGNING_KEY_FILE = path.join(DATA, 'ledger-signing-key');
const APP_PASSWORD_FILE = path.join(DATA, 'database-app-password');
/** The role the apps connect as when only the owner's URL is given (docs/database-roles.md). */
const APP_ROLE = 'hookledger_app';
const STOP_TIMEOUT_MS = 15000;
const APPS = [
  { name: 'api-gateway', portVariable: 'HOOKS_API_PORT', defaultPort: 3000 },
  { name: 'ingest', portVariable: 'HOOKS_INGEST_PORT', defaultPort: 3001 },
  { name: 'dispatcher', portVariable: 'HOOKS_DISPATCHER_PORT', defaultPort: 3002 },
  { name: 'scheduler', portVariable: 'HOOKS_SCHEDULER_PORT', defaultPort: 3003 },
];

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const COLORS = { start: 1, migrate: 35, 'api-gateway': 36, ingest: 32, dispatcher: 33, scheduler: 34 };
const PAD = Math.max(...Object.keys(COLORS).map((name) => name.length));
const prefix = (name) => paint(COLORS[name] ?? 0, `${name.padEnd(PAD)} |`);
const say = (message) => console.log(`${prefix('start')} ${message}`);
const shown = (file) => path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file) || '.';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bootstrap admin key: HOOKS_ADMIN_API_KEY, or one generated once into .data/admin-api-key. */
function adminApiKey() {
  if (process.env.HOOKS_ADMIN_API_KEY) return { key: process.env.HOOKS_ADMIN_API_KEY, file: null };
  fs.mkdirSync(DATA, { recursive: true });
  try {
    fs.writeFileSync(KEY_FILE, `hlk_${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    say(`generated an admin API key in ${shown(KEY_FILE)}`);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  fs.chmodSync(KEY_FILE, 0o600);
  const key = fs.readFileSync(KEY_FILE, 'utf8').trim();
  if (key.length < 16) throw new Error(`${shown(KEY_FILE)} holds fewer than 16 characters: delete it and a new key is generated`);
  return { key, file: KEY_FILE };
}

/**
 * The Ed25519 seed ledger checkpoints are signed with: HOOKS_LEDGER_SIGNING_KEY, or one generated
 * once into .data/ledger-signing-key. It never goes into Postgres: whoever can rewrite the database
 * must not be able to sign for it.
 */
function ledgerSigningKey() {
  if (process.env.HOOKS_LEDGER_SIGNING_KEY) return { key: process.env.HOOKS_LEDGER_SIGNING_KEY, file: null };
  fs.mkdirSync(DATA, { recursive: true });
  try {
    fs.writeFileSync(SIGNING_KEY_FILE, `${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    say(`generated a ledger signing key in ${shown(SIGNING_KEY_FILE)}`);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  fs.chmodSync(SIGNING_KEY_FILE, 0o600);
  const key = fs.readFileSync(SIGNING_KEY_FILE, 'utf8').trim();
  if (Buffer.from(key, 'base64').length !== 32) throw new Error(`${shown(SIGNING_KEY_FILE)} is not the base64 of 32 bytes: delete it and a new key is generated`);
  return { key, file: SIGNING_KEY_FILE };
}

/**
 * The owner's URL (migrations) and the apps' (docs/database-roles.md). Given both
 * (HOOKS_MIGRATION_DATABASE_URL and DATABASE_URL), they are used as they are. Given DATABASE_URL
 * alone, it names the owner, as it always has, and the apps get the same database as
 * `hookledger_app`, a role the migration creates — with a password generated once into
 * .data/database-app-password when the owner's URL carries one. The apps never see the owner's URL.
 */
function databaseUrls() {
  const given = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  if (process.env.HOOKS_MIGRATION_DATABASE_URL) return { owner: process.env.HOOKS_MIGRATION_DATABASE_URL, app: given };
  const app = new URL(given);
  if (decodeURIComponent(app.username) === APP_ROLE) {
    throw new Error(`DATABASE_URL connects as ${APP_ROLE}, the apps' role: set HOOKS_MIGRATION_DATABASE_URL to the owner's URL for the migrations (docs/database-roles.md)`);
  }
  app.username = APP_ROLE;
  app.password = app.password ? encodeURIComponent(appDatabasePassword()) : '';
  return { owner: given, app: app.toString() };
}

function appDatabasePassword() {
  fs.mkdirSync(DATA, { recursive: true });
  try {
    fs.writeFileSync(APP_PASSWORD_FILE, `${crypto.randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    say(`generated the password of the apps' database role (${APP_ROLE}) in ${shown(APP_PASSWORD_FILE)}`);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  fs.chmodSync(APP_PASSWORD_FILE, 0o600);
  return fs.readFileSync(APP_PASSWORD_FILE, 'utf8').trim();
}

/** Copies a child's output line by line, each line under the child's name. */
function forward(name, stream, target) {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => target.write(`${prefix(name)} ${line}\n`));
}

function spawnNode(name, script, env) {
  // Detached: each app gets exactly one SIGTERM from us, not also the terminal's Ctrl-C mid-drain.
  const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  forward(name, child.stdout, process.stdout);
  forward(name, child.stderr, process.stderr);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

async function migrate(env) {
  const child = spawnNode('migrate', path.join(ROOT, 'dist/cli/migrate.js'), env);
  const { code, signal } = await child.exited;
  if (code !== 0) throw new Error(`the migration failed (${signal ?? `exit ${code}`}); see the migrate lines above`);
}

async function healthy(port) {
  try {
    const answer = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return answer.ok;
  } catch {
    return false;
  }
}

async function main() {
  process.env.NODE_ENV ||= 'development';
  if (process.env.NODE_ENV === 'production' && !process.env.HOOKS_ENCRYPTION_KEY) {
    throw new Error('NODE_ENV=production needs HOOKS_ENCRYPTION_KEY (64 hex characters, e.g. `openssl rand -hex 32`)');
  }
  const missing = [path.join(ROOT, 'dist/cli/migrate.js'), ...APPS.map((app) => path.join(ROOT, `dist/apps/${app.name}/main.js`))].filter((file) => !fs.existsSync(file));
  if (missing.length > 0) throw new Error(`not built: ${missing.map(shown).join(', ')} — run \`npm run build\` (npm start does)`);

  const admin = adminApiKey();
  if (process.env.NODE_ENV === 'production' && !process.env.HOOKS_LEDGER_SIGNING_KEY) {
    throw new Error('NODE_ENV=production needs HOOKS_LEDGER_SIGNING_KEY (base64 of a 32-byte Ed25519 seed, e.g. `openssl rand -base64 32`)');
  }
  const database = databaseUrls();
  const env = { ...process.env, HOOKS_ADMIN_API_KEY: admin.key, HOOKS_LEDGER_SIGNING_KEY: ledgerSigningKey().key, DATABASE_URL: database.app };
  delete env.HOOKS_MIGRATION_DATABASE_URL; // the apps' environment: never the owner's URL
  const infra = [];
  const state = { settingUp: true, stopping: false, apps: [] };

  const stopInfra = async () => {
    while (infra.length > 0) await infra.pop().stop();
  };
  const stopAll = async (exitCode, reason) => {
    if (state.stopping) return;
    state.stopping = true;
    say(reason);
    if (state.settingUp) return; // main() notices after its current step and stops what it started
    const running = state.apps.filter((app) => app.child.exitCode === null && app.child.signalCode === null);
    for (const app of running) app.child.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const app of running) {
        if (app.child.exitCode === null && app.child.signalCode === null) {
          say(`${app.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
          app.child.kill('SIGKILL');
        }
      }
    }, STOP_TIMEOUT_MS);
    await Promise.all(running.map((app) => app.child.exited));
    clearTimeout(killer);
    await stopInfra();
    process.exit(exitCode);
  };
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!state.stopping) {
        firstSignalAt = Date.now();
        return void stopAll(0, `${signal}: stopping`);
      }
      // npm and the terminal may both deliver one Ctrl-C; a later, separate one means "hurry up".
      if (Date.now() - firstSignalAt > 2000) {
        say('stopping now');
        for (const app of state.apps) app.child.kill('SIGKILL');
      }
    });
  }
  // Last resort when start.js itself dies: leave no app behind (they are detached).
  process.on('exit', () => state.apps.forEach((app) => app.child.exitCode === null && app.child.kill('SIGKILL')));

  const steps = [
    async () => infra.push(await ensurePostgres(database.owner, { dataDir: path.join(DATA, 'postgres') })),
    async () => infra.push(await ensureNats(process.env.NATS_URL || DEFAULT_NATS_URL, { dataDir: path.join(DATA, 'nats') })),
    async () => {
      say(`migrating the database as its owner; the apps connect as ${decodeURIComponent(new URL(database.app).username)}`);
      await migrate({ ...env, HOOKS_MIGRATION_DATABASE_URL: database.owner });
    },
  ];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      await stopInfra();
      throw error;
    }
    if (state.stopping) {
      await stopInfra();
      process.exit(0);
    }
  }
  state.settingUp = false;

  for (const app of APPS) {
    const child = spawnNode(app.name, path.join(ROOT, `dist/apps/${app.name}/main.js`), { ...env, NODE_OPTIONS: appNodeOptions(env.NODE_OPTIONS) });
    state.apps.push({ ...app, child });
    child.exited.then(({ code, signal }) => {
      if (!state.stopping) void stopAll(1, `${app.name} exited unexpectedly (${signal ?? `exit ${code}`}): stopping the others`);
    });
  }
  say(`started ${APPS.map((app) => app.name).join(', ')} (NODE_ENV=${process.env.NODE_ENV}); waiting for their /health`);

  const ports = APPS.map((app) => Number(process.env[app.portVariable] || app.defaultPort));
  const since = Date.now();
  let warned = false;
  for (;;) {
    if (state.stopping) return;
    const answers = await Promise.all(ports.map(healthy));
    if (answers.every(Boolean)) break;
    if (!warned && Date.now() - since > 60000) {
      warned = true;
      say(`still waiting for /health of ${APPS.filter((_, i) => !answers[i]).map((app) => app.name).join(', ')}`);
    }
    await sleep(500);
  }
  const api = `http://127.0.0.1:${ports[0]}`;
  const bearer = admin.file ? `$(cat ${shown(admin.file)})` : '$HOOKS_ADMIN_API_KEY';
  say(
    [
      paint(32, 'Hookledger is running.'),
      `  API:      ${api}   docs: ${api}/docs   OpenAPI: ${api}/openapi.json`,
      `  API key:  ${admin.file ? `in ${shown(admin.file)} (generated once, kept for the next start)` : 'the HOOKS_ADMIN_API_KEY you set'}`,
      `  Try:      curl -H "Authorization: Bearer ${bearer}" ${api}/v1/endpoints`,
      '  Stop:     Ctrl-C',
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(`${prefix('start')} ${error.message}`);
  process.exit(1);
});

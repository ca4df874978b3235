'use strict';
// Bench settings from flags (`--name=value`) and environment (`BENCH_NAME=value`); flags win.
// `--quick` swaps in small sizes for a smoke run of every scenario in about two minutes.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

const DEFAULTS = {
  n: '20000,100000', // events per throughput run
  reps: 3, // repetitions of each figure (the median is reported)
  largeReps: 0, // repetitions for N >= 50,000 (0: same as reps)
  spread: 100, // endpoints of the "spread" throughput case (and receiver ports)
  rates: '200,1000', // offered rates (events/s) of the latency runs
  latencySeconds: 10,
  acceptSeconds: 10,
  acceptClients: 8,
  acceptBatch: 100,
  publishBatch: 500, // events per POST /v1/events/batch in the throughput runs
  publishClients: 4,
  fanout: 1000,
  fill: 10_000_000, // events the growth scenario writes into the store between its two halves
  fillEndpoints: 99, // endpoints that own filled history besides the measured one
  growthN: 20000, // events per throughput run of the growth scenario
  restartSeconds: 20, // length of each run of the restart scenario, from the apps' spawn
  restartRate: 200, // events/s the restart scenario offers
  scenarios: 'throughput,latency,accept,fanout,restart',
  portBase: 47100, // api = base, ingest/dispatcher/scheduler = base+1..3, receiver = base+100…
  database: 'hookledger_bench',
  namespace: 'bench',
  cpuProf: '', // directory: profile api-gateway, ingest and dispatcher during extra (unmeasured) runs
  appNodeOptions: '', // NODE_OPTIONS for the apps only, e.g. --max-old-space-size=128
  maxMinutes: 150, // the whole bench stops itself after this long
  keepDb: false,
};

const QUICK = { n: '2000', reps: 1, largeReps: 1, latencySeconds: 3, acceptSeconds: 3, fanout: 200, fill: 200_000, fillEndpoints: 9, growthN: 2000, restartSeconds: 8 };

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const envName = (key) => `BENCH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const flags = {};
  for (const arg of argv) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (flags look like --name=value; see BENCHMARKS.md)`);
    flags[camel(match[1])] = match[2] ?? true;
  }
  const quick = flags.quick === true || env.BENCH_QUICK === '1';
  const raw = { ...DEFAULTS, ...(quick ? QUICK : {}) };
  for (const key of Object.keys(DEFAULTS)) {
    if (env[envName(key)] !== undefined) raw[key] = env[envName(key)];
    if (flags[key] !== undefined) raw[key] = flags[key];
  }
  const unknown = Object.keys(flags).filter((key) => key !== 'quick' && !(key in DEFAULTS));
  if (unknown.length > 0) throw new Error(`unknown flag(s): ${unknown.join(', ')}`);
  const int = (key) => {
    const value = Number(raw[key]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${key} must be a whole number, got ${raw[key]}`);
    return value;
  };
  const list = (key) => String(raw[key]).split(',').map((s) => s.trim()).filter(Boolean);
  const reps = Math.max(1, int('reps'));
  const cpuProf = raw.cpuProf === true ? path.join(ROOT, '.data', 'bench', 'profiles') : raw.cpuProf ? path.resolve(String(raw.cpuProf)) : '';
  return {
    quick,
    sizes: list('n').map(Number),
    reps,
    largeReps: int('largeReps') || reps,
    spread: Math.max(1, int('spread')),
    rates: list('rates').map(Number),
    latencySeconds: int('latencySeconds'),
    acceptSeconds: int('acceptSeconds'),
    acceptClients: int('acceptClients'),
    acceptBatch: int('acceptBatch'),
    publishBatch: Math.min(500, int('publishBatch')),
    publishClients: int('publishClients'),
    fanout: int('fanout'),
    fill: int('fill'),
    fillEndpoints: int('fillEndpoints'),
    growthN: int('growthN'),
    restartSeconds: Math.max(2, int('restartSeconds')),
    restartRate: Math.max(1, int('restartRate')),
    scenarios: new Set(list('scenarios')),
    portBase: int('portBase'),
    database: String(raw.database),
    namespace: String(raw.namespace),
    cpuProf,
    appNodeOptions: String(raw.appNodeOptions),
    maxMinutes: int('maxMinutes'),
    keepDb: raw.keepDb === true || raw.keepDb === '1' || raw.keepDb === 'true',
    root: ROOT,
    outDir: path.join(ROOT, '.data', 'bench'),
  };
}

/** Repetitions for a throughput run of n events. */
const repsFor = (options, n) => (n >= 50_000 ? options.largeReps : options.reps);

module.exports = { parseOptions, repsFor };

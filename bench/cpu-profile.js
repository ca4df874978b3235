'use strict';
// Preloaded into ingest and the dispatcher by `npm run bench -- --cpu-prof` (node --require).
// `node --cpu-prof` cannot be used as is: Nest's shutdown hook re-raises SIGTERM, and a process
// killed by a signal never writes its profile. Here SIGWINCH starts the V8 profiler and the next
// SIGWINCH writes <BENCH_CPU_PROF_DIR>/<app>-<pid>-<n>.cpuprofile, so a profile covers exactly
// the run the bench chose. (SIGWINCH because Nest's shutdown hooks take SIGUSR2 as "stop", and
// SIGUSR1 belongs to Node's inspector; a stray SIGWINCH is ignored by default.)
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.BENCH_CPU_PROF_DIR;
const app = process.env.BENCH_APP || 'app';
const session = new inspector.Session();
let profiling = false;
let count = 0;

session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 }); // µs, as --cpu-prof-interval's default

process.on('SIGWINCH', () => {
  if (!profiling) {
    profiling = true;
    session.post('Profiler.start');
    return;
  }
  profiling = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return process.stderr.write(`cpu profile failed: ${error.message}\n`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${app}-${process.pid}-${++count}.cpuprofile`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
    fs.renameSync(`${file}.tmp`, file); // the bench waits for the final name
  });
});

'use strict';
// What /proc says about a process: memory (VmRSS, VmHWM), CPU time, and which processes are the
// bench database's Postgres backends and the nats-server.
const fs = require('node:fs');
const path = require('node:path');

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux

/** User + system CPU seconds of a process so far, or null when it is gone. */
function cpuSecondsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Pids of the Postgres backends serving `database` (their process title names it), and of nats-server. */
function serverPids(database) {
  const pids = { postgres: [], nats: [] };
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres:') && title.includes(` ${database} `)) pids.postgres.push(Number(entry));
      else if (path.basename(title.split('\0')[0]) === 'nats-server') pids.nats.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

module.exports = { cpuSecondsOf, memoryOf, serverPids };

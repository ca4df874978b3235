'use strict';
// The driver's handle on the receiver process: start it, ask for statistics, wait for arrivals, close it.
const path = require('node:path');
const { fork } = require('node:child_process');

class Receiver {
  constructor(child, port, ports) {
    this.child = child;
    this.port = port;
    this.ports = ports;
    this.pending = new Map();
    this.nextId = 0;
    child.on('message', (message) => {
      const resolve = this.pending.get(message.id);
      if (!resolve) return;
      this.pending.delete(message.id);
      resolve(message);
    });
  }

  static start(port, ports) {
    const child = fork(path.join(__dirname, 'receiver.js'), [], {
      env: { ...process.env, BENCH_RECEIVER_PORT: String(port), BENCH_RECEIVER_PORTS: String(ports) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the receiver did not start within 10 s')), 10_000);
      child.once('exit', (code) => reject(new Error(`the receiver exited at start (${code})`)));
      child.on('message', function first(message) {
        if (message.error) return reject(new Error(message.error));
        if (!message.ready) return;
        clearTimeout(timer);
        child.off('message', first);
        child.removeAllListeners('exit');
        resolve(new Receiver(child, port, ports));
      });
    });
  }

  /** URL of endpoint k of a scenario: its own port (modulo the port count) and path. */
  url(tag, k) {
    return `http://127.0.0.1:${this.port + (k % this.ports)}/${tag}/${k}`;
  }

  request(message) {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ ...message, id });
    });
  }

  reset(tag) {
    this.child.send({ op: 'reset', tag });
  }

  async stats(tag) {
    return (await this.request({ op: 'stats', tag })).stats;
  }

  /** [data.seq, sent_at, publish → delivered ms] of each delivery of a latency tag (`lat…`). */
  async samples(tag) {
    return (await this.request({ op: 'samples', tag })).samples;
  }

  async totals() {
    return (await this.request({ op: 'totals' })).totals;
  }

  /** 'complete', 'stalled' (nothing new for idleMs) or 'timeout'. */
  async waitFor(tag, count, { timeoutMs, idleMs = 60_000 }) {
    return (await this.request({ op: 'wait', tag, count, timeoutMs, idleMs })).outcome;
  }

  async close() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ op: 'close' });
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
}

module.exports = { Receiver };

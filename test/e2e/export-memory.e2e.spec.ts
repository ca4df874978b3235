import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { LedgerSigningKey } from '@hookledger/ledger';
import { TestSystem } from '@hookledger/testing';
import { eventually } from './eventually';
import { coveringCheckpoints } from './ledger-checkpoints';

const EVENTS = 1_000_000;
const STREAMS_PER_BATCH = 500;
const EVENTS_PER_STREAM = 100; // 50,000 events per append
const RSS_LIMIT_KB = 200 * 1024;
const seed = randomBytes(32);
const key = new LedgerSigningKey(seed);
const folder = mkdtempSync(join(tmpdir(), 'ledger-export-'));
let system: TestSystem;

beforeAll(async () => {
  // The scheduler, which signs the checkpoints, starts once the store is filled.
  system = await TestSystem.start({ apps: ['api-gateway'], env: { HOOKS_LEDGER_SIGNING_KEY: seed.toString('base64'), HOOKS_LEDGER_CHECKPOINT_EVENTS: '10000' } });
});

afterAll(async () => {
  await system?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/**
 * Appends through the store's own function, as the owner would, 50,000 events a call on two
 * connections (the streams of the two never meet), so every hash is the database's.
 */
async function fill(url: string): Promise<void> {
  const batches = EVENTS / (STREAMS_PER_BATCH * EVENTS_PER_STREAM);
  const worker = async (first: number) => {
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      for (let batch = first; batch < batches; batch += 2) {
        await db.query(`
          SELECT hl_append_events(
            (SELECT array_agg('load-' || s ORDER BY s) FROM generate_series($1::int, $2::int) s),
            (SELECT array_agg('load'::text) FROM generate_series($1::int, $2::int) s),
            (SELECT array_agg(NULL::integer) FROM generate_series($1::int, $2::int) s),
            array_agg('load-' || s ORDER BY v, s), array_agg('LoadRecorded'::text ORDER BY v, s), array_agg(1::smallint ORDER BY v, s),
            array_agg(jsonb_build_object('n', v, 'stream', s, 'amount', 1.50, 'note', 'a load test event') ORDER BY v, s),
            array_agg(jsonb_build_object('actor', 'system:load', 'tenant_id', 'default') ORDER BY v, s))
          FROM generate_series($1::int, $2::int) s, generate_series(1, $3::int) v`,
        [batch * STREAMS_PER_BATCH + 1, (batch + 1) * STREAMS_PER_BATCH, EVENTS_PER_STREAM]);
      }
    } finally {
      await db.end();
    }
  };
  await Promise.all([worker(0), worker(1)]);
}

/** A plain Node stream of the answer: fetch's web stream bridge is too slow to measure the API by. */
function download(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(`${system.apiUrl}${path}`, { headers: { authorization: `Bearer ${system.adminKey}` } }, resolve).on('error', reject);
  });
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

describe('the ledger export of a store of a million events', () => {
  it('streams every event in constant memory and verifies offline', async () => {
    const started = Date.now();
    await fill(system.database.url);
    const filled = Date.now();
    await system.startApp('scheduler');
    const signed = await coveringCheckpoints(system, 240_000);
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    const [{ count }] = (await db.query(`SELECT count(*)::int AS count FROM events`)).rows;
    await db.end();
    console.log(`filled ${count} events in ${((filled - started) / 1000).toFixed(1)} s; signed ${signed.length} checkpoints in ${((Date.now() - filled) / 1000).toFixed(1)} s`);
    expect(count).toBeGreaterThanOrEqual(EVENTS);

    const pid = system.pid('api-gateway');
    const before = rssKb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 100);
    const file = join(folder, 'ledger.ndjson');
    const exportStarted = Date.now();
    try {
      const response = await download('/v1/audit/export');
      expect(response.statusCode).toBe(200);
      await pipeline(response, createWriteStream(file));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssKb(pid));
    const seconds = (Date.now() - exportStarted) / 1000;
    const megabytes = statSync(file).size / 1024 / 1024;
    console.log(`exported ${count} events (${megabytes.toFixed(0)} MB) in ${seconds.toFixed(1)} s: ${Math.round(count / seconds)} events/s, `
      + `${(megabytes / seconds).toFixed(1)} MB/s; api-gateway RSS ${Math.round(before / 1024)} MB before, peak ${Math.round(peak / 1024)} MB`);
    expect(peak).toBeLessThan(RSS_LIMIT_KB);

    const verifyStarted = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', '..', process.env.HOOKLEDGER_DIST || 'dist', 'cli', 'ledger-verify.js'), file, '--public-key', key.publicKeyBase64]);
    console.log(`${stdout.trim()} (${((Date.now() - verifyStarted) / 1000).toFixed(1)} s)`);
    expect(stdout).toContain(`ledger:verify OK: whole ledger: ${count} events`);
    expect(stdout).toContain(`${signed.length} signed checkpoints verified; covered by checkpoint ${signed.length} `);

    // A client that goes away midway: the query stops and its connection is closed, not left reading.
    const abandoned = await download('/v1/audit/export');
    await new Promise((resolve) => abandoned.once('data', resolve));
    abandoned.destroy();
    const db2 = new Client({ connectionString: system.database.url });
    await db2.connect();
    try {
      await eventually(async () => {
        const { rows } = await db2.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%e.global_position::text, e.transaction_id::text%' AND pid <> pg_backend_pid()`);
        return rows[0].n === 0 ? true : undefined;
      }, 'the abandoned export query to end');
    } finally {
      await db2.end();
    }
  }, 600_000);
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { LedgerSigningKey } from '@hookledger/ledger';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';
import { coveringCheckpoints } from './ledger-checkpoints';

const seed = randomBytes(32);
const key = new LedgerSigningKey(seed);
const folder = mkdtempSync(join(tmpdir(), 'ledger-attacker-'));
const CLI = join(__dirname, '..', '..', process.env.HOOKLEDGER_DIST || 'dist', 'cli', 'ledger-verify.js');
let system: TestSystem;
let receiver: WebhookReceiver;
/** The attacker: the postgres superuser, who can switch the append-only trigger off. */
let superuser: Client;
let exported = 0;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  // The scheduler (and with it the checkpointer) starts once the 409 before any checkpoint is seen.
  system = await TestSystem.start({
    apps: ['api-gateway', 'ingest', 'dispatcher'],
    env: { HOOKS_LEDGER_SIGNING_KEY: seed.toString('base64'), HOOKS_LEDGER_CHECKPOINT_EVENTS: '5', HOOKS_LEDGER_CHECKPOINT_INTERVAL: '100ms' },
  });
  superuser = new Client({ connectionString: system.database.ownerUrl });
  await superuser.connect();
});

afterAll(async () => {
  await superuser?.end();
  await system?.stop();
  await receiver?.close();
  rmSync(folder, { recursive: true, force: true });
});

interface Verdict { readonly code: number; readonly stdout: string; readonly stderr: string }

async function exportLedger(query = ''): Promise<string> {
  const answer = await fetch(`${system.apiUrl}/v1/audit/export${query}`, { headers: { authorization: `Bearer ${system.adminKey}` } });
  expect(answer.status).toBe(200);
  const file = join(folder, `export-${++exported}.ndjson`);
  writeFileSync(file, Buffer.from(await answer.arrayBuffer()));
  return file;
}

function verify(file: string, ...extra: string[]): Promise<Verdict> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, file, '--public-key', key.publicKeyBase64, ...extra], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Runs `sql` with the append-only trigger off, as someone with superuser rights would. */
async function tamper(sql: string): Promise<void> {
  await superuser.query('BEGIN');
  await superuser.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
  await superuser.query(sql);
  await superuser.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
  await superuser.query('COMMIT');
}

/** Every hash of the stream from the first event on, and its head in `streams`, recomputed with the database's own function. */
const rechain = (streamId: string) => `
  DO $$
  DECLARE r record; v_prev bytea := NULL;
  BEGIN
    FOR r IN SELECT * FROM events WHERE stream_id = '${streamId}' ORDER BY stream_version LOOP
      UPDATE events SET hash = hl_event_digest(v_prev, r.stream_id, r.stream_version, r.type, r.schema_version, r.data, r.metadata, r.recorded_at)
       WHERE global_position = r.global_position RETURNING hash INTO v_prev;
    END LOOP;
    UPDATE streams SET last_hash = v_prev WHERE stream_id = '${streamId}';
  END $$`;

describe('an attacker with superuser rights against the signed ledger', () => {
  let deliveryStream: string;
  let endpointId: string;

  beforeAll(async () => {
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/ledger') } });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.body.id;
    for (let n = 0; n < 6; n++) expect((await system.request('POST', '/v1/events', { body: { type: 'invoice.paid', data: { invoice: `in_${n}`, amount: 4200 + n } } })).status).toBe(202);
    await receiver.waitForCount('/ledger', 6);
    const deliveries = await eventually(async () => {
      const answer = await system.request('GET', `/v1/deliveries?endpoint_id=${endpointId}`);
      const found = answer.body.data as { id: string; status: string }[];
      return found.length === 6 && found.every((d) => d.status === 'succeeded') ? found : undefined;
    }, 'six succeeded deliveries');
    deliveryStream = `delivery-${deliveries[0].id}`;
  });

  it('answers 409 before any checkpoint is signed, and 400 naming a bad filter', async () => {
    const early = await system.request('GET', '/v1/audit/export');
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toContain('application/problem+json');

    const bad = await system.request('GET', '/v1/audit/export?format=xml&since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['format', 'since']);
  });

  it('exports a ledger that verifies offline, as NDJSON, CSV and filtered', async () => {
    await system.startApp('scheduler');
    const signed = await coveringCheckpoints(system);
    const file = await exportLedger();
    const verdict = await verify(file);
    expect(verdict).toMatchObject({ code: 0, stderr: '' });
    expect(verdict.stdout).toContain(`ledger:verify OK: whole ledger: ${signed.at(-1)?.events} events`);
    expect(verdict.stdout).toContain(`${signed.length} signed checkpoints verified`);

    // An earlier checkpoint the auditor kept agrees with the export.
    const kept = join(folder, 'kept-checkpoint.json');
    writeFileSync(kept, JSON.stringify(signed[1]));
    expect((await verify(file, '--checkpoint', kept)).code).toBe(0);

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const first = JSON.parse(lines[0]);
    expect(Object.keys(first)).toEqual(['position', 'stream_id', 'version', 'type', 'schema_version', 'recorded_at', 'data', 'metadata', 'prev_hash', 'hash']);
    expect(first.recorded_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual({ checkpoint: signed.at(-1), export: { filters: {}, events: Number(signed.at(-1)?.events), complete: true } });

    const filtered = await verify(await exportLedger(`?endpoint_id=${endpointId}`));
    expect(filtered.code).toBe(0);
    expect(filtered.stdout).toContain(`filtered export {"endpoint_id":"${endpointId}"}`);
    expect(filtered.stdout).toMatch(/: (\d+) events in 7 streams/); // the endpoint and its six deliveries

    const csv = await fetch(`${system.apiUrl}/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${system.adminKey}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="hookledger-ledger-checkpoint-\d+\.csv"$/);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe('record,position,stream_id,version,type,schema_version,recorded_at,data,metadata,prev_hash,hash');
    expect(rows.filter((row) => row.startsWith('event,'))).toHaveLength(Number(signed.at(-1)?.events));
    expect(rows.at(-1)).toMatch(new RegExp(`^checkpoint,${signed.at(-1)?.position},.*,${signed.at(-1)?.head}$`));
  });

  it('keeps a tenant-bound auditor key to its own tenant', async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'acme', name: 'Acme' } })).status).toBe(201);
    const auditor = await system.request('POST', '/v1/api-keys', { body: { role: 'auditor', tenant_id: 'acme', name: 'acme auditor' } });
    expect(auditor.status).toBe(201);

    const other = await system.request('GET', '/v1/audit/export?tenant_id=default', { key: auditor.body.key });
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    // Another tenant's endpoint answers as an unknown one does.
    const foreign = await system.request('GET', `/v1/audit/export?endpoint_id=${endpointId}`, { key: auditor.body.key });
    const unknown = await system.request('GET', '/v1/audit/export?endpoint_id=ep_01JZZZZZZZZZZZZZZZZZZZZZZZ', { key: auditor.body.key });
    expect([foreign.status, unknown.status]).toEqual([404, 404]);

    // Once the scheduler's checkpoint covers the tenant's creation and its key: the export holds exactly those, and nothing of another tenant.
    await coveringCheckpoints(system);
    const own = await fetch(`${system.apiUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${auditor.body.key}` } });
    expect(own.status).toBe(200);
    const records = (await own.text()).trimEnd().split('\n').map((line) => JSON.parse(line));
    const events = records.filter((record) => !('checkpoint' in record));
    expect(records.at(-1).export).toEqual({ filters: { tenant_id: 'acme' }, events: events.length, complete: false });
    expect(events.map((e) => e.type)).toContain('TenantCreated');
    expect(events.every((e) => e.metadata.tenant_id === 'acme')).toBe(true);
  });

  it('names the exact record rewritten without recomputing its hash', async () => {
    // The delivered attempt (DeliveryAttempted v3, its delivery's first and only event: the fan-out is on the message).
    const [target] = (await superuser.query(`SELECT global_position::text AS position, stream_version AS version, data::text FROM events WHERE stream_id = $1 AND stream_version = 1`, [deliveryStream])).rows;
    await tamper(`UPDATE events SET data = data || '{"forged": true}' WHERE global_position = ${target.position}`);

    const verdict = await verify(await exportLedger());
    expect(verdict.code).toBe(1);
    expect(verdict.stderr).toMatch(new RegExp(`^ledger:verify FAILED at line \\d+, position ${target.position}, stream ${deliveryStream}, version 1: hash does not match its content\\n$`));

    await tamper(`UPDATE events SET data = '${target.data.replace(/'/g, "''")}'::jsonb WHERE global_position = ${target.position}`);
    expect((await verify(await exportLedger())).code).toBe(0);
  });

  it('catches a rewrite whose every hash and stream head the database can compute was recomputed', async () => {
    const original = (await superuser.query(`SELECT global_position::text AS position, data::text, hash FROM events WHERE stream_id = $1 ORDER BY stream_version`, [deliveryStream])).rows;
    const [{ last_hash: head }] = (await superuser.query(`SELECT last_hash FROM streams WHERE stream_id = $1`, [deliveryStream])).rows;
    const [target] = original; // the delivered attempt
    await tamper(`UPDATE events SET data = data || '{"status": 200, "forged": true}' WHERE global_position = ${target.position}; ${rechain(deliveryStream)}`);
    // The database's own check is fooled: the stream's chain and head agree with each other.
    expect((await superuser.query(`SELECT hl_verify_stream($1) AS broken`, [deliveryStream])).rows).toEqual([{ broken: null }]);

    const verdict = await verify(await exportLedger());
    expect(verdict.code).toBe(1);
    const named = /chain diverges from signed checkpoint (\d+) \(positions (\d+)–(\d+) hold a change, insertion or deletion\)/.exec(verdict.stderr);
    expect(named).not.toBeNull();
    // The range is in ledger order (transaction id, then position), which positions alone need not
    // follow: a transaction that took its id first may insert its events after another's.
    const [{ within }] = (await superuser.query(
      `SELECT (f.transaction_id, f.global_position) <= (t.transaction_id, t.global_position)
              AND (t.transaction_id, t.global_position) <= (l.transaction_id, l.global_position) AS within
         FROM events f, events t, events l WHERE f.global_position = $1 AND t.global_position = $2 AND l.global_position = $3`,
      [named?.[2], target.position, named?.[3]])).rows;
    expect(within).toBe(true);

    for (const row of original) {
      await tamper(`UPDATE events SET data = '${String(row.data).replace(/'/g, "''")}'::jsonb, hash = '\\x${(row.hash as Buffer).toString('hex')}' WHERE global_position = ${row.position}`);
    }
    await superuser.query(`UPDATE streams SET last_hash = $1 WHERE stream_id = $2`, [head, deliveryStream]);
    expect((await verify(await exportLedger())).code).toBe(0);
  });

  it('catches a whole stream deleted, events and head', async () => {
    // Its first event in ledger order (transaction id, then position), which positions alone need not follow.
    const deleted: { xid: string; position: string }[] = (await superuser.query(
      `SELECT transaction_id::text AS xid, global_position::text AS position FROM events WHERE stream_id = $1 ORDER BY transaction_id, global_position`,
      [deliveryStream])).rows;
    const [first] = deleted;
    await tamper(`DELETE FROM events WHERE stream_id = '${deliveryStream}'; DELETE FROM streams WHERE stream_id = '${deliveryStream}'`);

    const verdict = await verify(await exportLedger());
    expect(verdict.code).toBe(1);
    const named = /chain diverges from signed checkpoint \d+ \(positions (\d+)–(\d+)/.exec(verdict.stderr);
    expect(named).not.toBeNull();
    // The signed range that misses it ends at or after it in ledger order: at one of the deleted
    // events themselves, or at an event still there that comes after the first of them.
    const end = named?.[2];
    const [still] = (await superuser.query(
      `SELECT (transaction_id, global_position) >= ($2::xid8, $3::bigint) AS after FROM events WHERE global_position = $1`,
      [end, first.xid, first.position])).rows;
    expect(still ? still.after : deleted.some((event) => event.position === end)).toBe(true);
  });
});

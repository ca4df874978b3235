import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint, LedgerSigningKey } from './checkpoint';
import { epochMicros, eventDigest } from './event-digest';
import { jsonbText } from './jsonb-text';
import { extendLedger, GENESIS_HEAD } from './ledger-chain';
import { verifyExport, VerifyResult } from './verify-export';

const key = new LedgerSigningKey(Buffer.alloc(32, 7));
const otherKey = new LedgerSigningKey(Buffer.alloc(32, 8));
const folder = mkdtempSync(join(tmpdir(), 'ledger-verify-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Event { position: string; stream_id: string; version: number; type: string; schema_version: number; recorded_at: string; data: string; metadata: string; prev_hash: string | null; hash: string }

/** Events as the store would have hashed them: `streams` names each event's stream, in ledger order. */
function ledger(streams: readonly string[]): Event[] {
  const heads = new Map<string, { version: number; hash: string }>();
  return streams.map((stream_id, i) => {
    const head = heads.get(stream_id);
    const event = {
      position: String(i + 1), stream_id, version: (head?.version ?? 0) + 1, type: 'EndpointUpdated', schema_version: 1,
      recorded_at: `2026-11-30T00:00:0${i % 10}.00012${i % 10}Z`, data: jsonbText(`{"n": ${i}, "price": 1.50, "big": 12345678901234567890}`),
      metadata: '{"actor": "api-key:key_1"}', prev_hash: head?.hash ?? null,
    };
    const hash = rehash(event);
    heads.set(stream_id, { version: event.version, hash });
    return { ...event, hash };
  });
}

function rehash(event: Omit<Event, 'hash'>): string {
  return eventDigest(event.prev_hash === null ? null : Buffer.from(event.prev_hash, 'hex'), { ...event, recorded_at_us: epochMicros(event.recorded_at) }).toString('hex');
}

/** Signs a checkpoint after every `every` events, and one covering the last. */
function checkpoints(events: readonly Event[], every: number, signer = key): Map<number, Checkpoint> {
  const signed = new Map<number, Checkpoint>();
  let head = GENESIS_HEAD;
  let previous = GENESIS_HEAD;
  events.forEach((event, i) => {
    head = extendLedger(head, event.position, Buffer.from(event.hash, 'hex'));
    if ((i + 1) % every !== 0 && i !== events.length - 1) return;
    signed.set(i, signer.sign({
      seq: signed.size + 1, events: String(i + 1), position: event.position, transaction_id: String(1000 + i), head: head.toString('hex'),
      previous_head: previous.toString('hex'), signed_at: '2026-11-30T00:00:10.000Z',
    }));
    previous = head;
  });
  return signed;
}

const line = (event: Event) => `{"position":"${event.position}","stream_id":${JSON.stringify(event.stream_id)},"version":${event.version},"type":"${event.type}",`
  + `"schema_version":${event.schema_version},"recorded_at":"${event.recorded_at}","data":${event.data},"metadata":${event.metadata},`
  + `"prev_hash":${event.prev_hash === null ? 'null' : `"${event.prev_hash}"`},"hash":"${event.hash}"}`;

/** An export file as the API writes it: events, checkpoints interleaved (whole ledger), the covering checkpoint with the summary. */
function exportFile(events: readonly Event[], signed: Map<number, Checkpoint>, options: { complete?: boolean; covering?: Checkpoint; filters?: Record<string, string> } = {}): string {
  const complete = options.complete ?? true;
  const lines: string[] = [];
  events.forEach((event, i) => {
    lines.push(line(event));
    const checkpoint = signed.get(i);
    if (complete && checkpoint) lines.push(JSON.stringify({ checkpoint }));
  });
  const covering = options.covering ?? [...signed.values()].at(-1);
  lines.push(JSON.stringify({ checkpoint: covering, export: { filters: options.filters ?? {}, events: events.length, complete } }));
  const path = join(folder, `export-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const STREAMS = ['endpoint-a', 'delivery-1', 'endpoint-a', 'delivery-1', 'endpoint-b', 'delivery-1', 'endpoint-a', 'delivery-2', 'endpoint-b', 'delivery-2', 'delivery-2', 'endpoint-a'];
const verify = (path: string, checkpoint?: Checkpoint): Promise<VerifyResult> => verifyExport(path, { publicKey: key.publicKeyBase64, checkpoint });

describe('the offline verifier', () => {
  const events = ledger(STREAMS);
  const signed = checkpoints(events, 4);

  it('accepts an untouched whole-ledger export and says what it checked', async () => {
    expect(await verify(exportFile(events, signed))).toMatchObject({ ok: true, summary: { events: 12, streams: 4, checkpoints: 3, complete: true } });
  });

  it('names the event whose content was changed without recomputing its hash', async () => {
    const changed = events.map((event, i) => (i === 6 ? { ...event, data: event.data.replace('1.50', '1.5') } : event));

    // Line 8: six events before it and one checkpoint line after the fourth.
    expect(await verify(exportFile(changed, signed))).toEqual({
      ok: false, failure: { line: 8, position: '7', stream_id: 'endpoint-a', version: 3, reason: 'hash does not match its content' },
    });
  });

  it('localises a rewrite whose hashes were all recomputed to between two signed checkpoints', async () => {
    const rewritten = ledger(STREAMS.map((stream) => stream)).map((event) => event);
    rewritten[5] = { ...rewritten[5], data: '{"n": 5, "forged": true}' };
    const forged = relinked(rewritten);

    expect(await verify(exportFile(forged, signed))).toEqual({
      ok: false, failure: { line: 10, position: '8', checkpoint: 2, reason: 'chain diverges from signed checkpoint 2 (positions 5–8 hold a change, insertion or deletion)' },
    });
  });

  it('catches a whole stream deleted from the export', async () => {
    const without = events.filter((event) => event.stream_id !== 'endpoint-b');

    const result = await verify(exportFile(without, signed));
    expect(result).toMatchObject({ ok: false, failure: { checkpoint: 2, reason: expect.stringContaining('chain diverges from signed checkpoint 2') } });
  });

  it('refuses checkpoints signed with any key but the one given', async () => {
    const forgedSignatures = checkpoints(events, 4, otherKey);

    expect(await verify(exportFile(events, forgedSignatures))).toMatchObject({
      ok: false, failure: { line: 5, checkpoint: 1, reason: 'signature of checkpoint 1 does not verify with the given public key' },
    });
  });

  it('refuses an export that was cut short of its covering checkpoint', async () => {
    const path = exportFile(events, signed);
    writeFileSync(path, `${events.slice(0, 3).map(line).join('\n')}\n`);

    expect(await verify(path)).toMatchObject({ ok: false, failure: { reason: expect.stringContaining('no signed checkpoint covers this export') } });
  });

  it('names the signed checkpoint after a single event missing from a whole-ledger export', async () => {
    const gap = events.filter((_, i) => i !== 2);

    expect(await verify(exportFile(gap, signed))).toEqual({
      ok: false, failure: { line: 5, position: '4', checkpoint: 1, reason: 'chain diverges from signed checkpoint 1 (positions 1–4 hold a change, insertion or deletion)' },
    });
  });

  it('names a stream whose first versions are missing, even where no checkpoint falls', async () => {
    const lastSegment = checkpoints(events, 100);
    const gap = events.filter((_, i) => i !== 2);

    expect(await verify(exportFile(gap, lastSegment))).toMatchObject({
      ok: false, failure: { position: '7', stream_id: 'endpoint-a', version: 3, reason: 'versions 2–2 of the stream are missing from a whole-ledger export' },
    });
  });

  it('checks a filtered export by its chains and signature, and a broken link between two exported versions', async () => {
    const oneStream = events.filter((event) => event.stream_id === 'delivery-1');
    const filtered = { complete: false, filters: { endpoint_id: 'ep_1' } };
    expect(await verify(exportFile(oneStream, signed, filtered))).toMatchObject({ ok: true, summary: { events: 3, complete: false } });

    const relinkedWrongly = oneStream.map((event, i) => (i === 2 ? withHash({ ...event, prev_hash: oneStream[0].hash }) : event));
    expect(await verify(exportFile(relinkedWrongly, signed, filtered))).toMatchObject({
      ok: false, failure: { line: 3, stream_id: 'delivery-1', version: 3, reason: 'prev_hash is not the hash of version 2 in this export' },
    });
  });

  it('holds the export to a checkpoint obtained earlier: the same seq must sign the same head', async () => {
    const earlier = signed.get(3);
    expect(await verify(exportFile(events, signed), earlier)).toMatchObject({ ok: true });

    // A fork: the history was rewritten and re-signed (with the real key) after the auditor kept checkpoint 1.
    const rewritten = [...events];
    rewritten[1] = { ...rewritten[1], data: '{"n": 1, "forged": true}' };
    const fork = relinked(rewritten);
    expect(await verify(exportFile(fork, checkpoints(fork, 4)), earlier)).toMatchObject({
      ok: false, failure: { reason: 'chain diverges from the checkpoint given by --checkpoint, seq 1 (positions 1–4 hold a change, insertion or deletion)' },
    });
  });
});

function withHash(event: Event): Event {
  return { ...event, hash: rehash(event) };
}

/** Recomputes every hash and link from the first event on, as an attacker with the database would. */
function relinked(events: readonly Event[]): Event[] {
  const heads = new Map<string, string>();
  return events.map((event) => {
    const rebuilt = withHash({ ...event, prev_hash: heads.get(event.stream_id) ?? null });
    heads.set(event.stream_id, rebuilt.hash);
    return rebuilt;
  });
}

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { isLosslessNumber } from 'lossless-json';
import { Checkpoint, verifyCheckpoint } from './checkpoint';
import { epochMicros, eventDigest } from './event-digest';
import { parseLossless, renderJsonb } from './jsonb-text';
import { extendLedger, GENESIS_HEAD } from './ledger-chain';

export interface VerifyOptions {
  /** Base64 of the 32-byte Ed25519 public key the auditor holds: never the key inside the file. */
  readonly publicKey: string;
  /** A checkpoint obtained earlier (e.g. GET /v1/audit/checkpoints/latest): the export must agree with it. */
  readonly checkpoint?: Checkpoint;
}

/** The first bad record: where it is and why. */
export interface VerifyFailure {
  readonly line: number;
  readonly position?: string;
  readonly stream_id?: string;
  readonly version?: number;
  readonly checkpoint?: number;
  readonly reason: string;
}

export interface VerifySummary {
  readonly events: number;
  readonly streams: number;
  readonly checkpoints: number;
  readonly complete: boolean;
  readonly covering: Checkpoint;
  readonly filters: Record<string, string>;
}

export type VerifyResult = { readonly ok: true; readonly summary: VerifySummary } | { readonly ok: false; readonly failure: VerifyFailure };

interface ExportEnd {
  readonly checkpoint: Checkpoint;
  readonly export: { readonly filters: Record<string, string>; readonly events: number; readonly complete: boolean };
}

class BadRecord extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.reason);
  }
}

const HEX_HASH = /^[0-9a-f]{64}$/;
const POSITION = /^[1-9]\d{0,18}$/;

/**
 * Checks an NDJSON export (docs/ledger-export.md) line by line in constant memory but for one
 * (version, hash) per stream: every event's hash against its content, each stream's chain, every
 * checkpoint's signature with the auditor's key and, for a whole-ledger export, the ledger chain
 * from genesis against every checkpoint — which is what catches a rewrite by someone who could
 * recompute every hash the database holds, and a deleted or inserted event or stream.
 */
export async function verifyExport(path: string, options: VerifyOptions): Promise<VerifyResult> {
  try {
    return { ok: true, summary: await verify(path, options) };
  } catch (error) {
    if (error instanceof BadRecord) return { ok: false, failure: error.failure };
    throw error;
  }
}

async function verify(path: string, options: VerifyOptions): Promise<VerifySummary> {
  // The last line says what the export is (whole ledger or filtered): read it first, trust it only once its checkpoint verifies.
  const { end, text: endText } = await readEnd(path);
  const complete = end.export.complete === true;
  const given = options.checkpoint;
  if (given) {
    if (!verifyCheckpoint(given, options.publicKey)) throw new BadRecord({ line: 0, checkpoint: given.seq, reason: `the checkpoint given by --checkpoint (seq ${given.seq}) does not verify with the given public key` });
    if (given.seq > end.checkpoint.seq) {
      throw new BadRecord({ line: 0, checkpoint: given.seq, reason: `the checkpoint given by --checkpoint (seq ${given.seq}) is newer than this export's (seq ${end.checkpoint.seq}): export again` });
    }
  }

  const streams = new Map<string, { version: number; hash: string }>();
  let head = GENESIS_HEAD;
  let events = 0;
  let checkpoints = 0;
  let previous: Checkpoint | undefined;
  let segmentStart: string | undefined; // the first position after the previous checkpoint
  let lastPosition: string | undefined;
  let givenChecked = false;
  let line = 0;

  const diverges = (at: number, checkpoint: Checkpoint, what: string): BadRecord => new BadRecord({
    line: at, position: checkpoint.position, checkpoint: checkpoint.seq,
    reason: `chain diverges from ${what} ${checkpoint.seq} (positions ${segmentStart ?? 'from the start'}–${checkpoint.position} hold a change, insertion or deletion)`,
  });
  const checkAgainst = (at: number, checkpoint: Checkpoint, what: string) => {
    if (checkpoint.events !== String(events) || checkpoint.head !== head.toString('hex') || checkpoint.position !== lastPosition) throw diverges(at, checkpoint, what);
  };

  const input = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  // One line behind the reader: the last line is the end record, checked after the loop.
  let held: string | undefined;
  for await (const next of input) {
    const text = held;
    held = next;
    if (text === undefined) continue;
    line++;
    if (text.startsWith('{"checkpoint"')) {
      const checkpoint = parseCheckpointLine(text, line).checkpoint;
      checkSignature(checkpoint, options.publicKey, line);
      if (previous && checkpoint.seq <= previous.seq) throw new BadRecord({ line, checkpoint: checkpoint.seq, reason: `checkpoint ${checkpoint.seq} comes after checkpoint ${previous.seq}` });
      if (complete) {
        if (previous && checkpoint.seq === previous.seq + 1 && checkpoint.previous_head !== previous.head) {
          throw new BadRecord({ line, checkpoint: checkpoint.seq, reason: `checkpoint ${checkpoint.seq} does not extend checkpoint ${previous.seq}'s head` });
        }
        checkAgainst(line, checkpoint, 'signed checkpoint');
      }
      checkpoints++;
      previous = checkpoint;
      segmentStart = undefined;
      continue;
    }
    const event = parseEvent(text, line);
    const record = { line, position: event.position, stream_id: event.stream_id, version: event.version };
    const digest = eventDigest(event.prev_hash === null ? null : Buffer.from(event.prev_hash, 'hex'), event);
    if (digest.toString('hex') !== event.hash) throw new BadRecord({ ...record, reason: 'hash does not match its content' });
    if ((event.version === 1) !== (event.prev_hash === null)) {
      throw new BadRecord({ ...record, reason: event.version === 1 ? 'version 1 names a previous hash' : 'prev_hash is missing' });
    }
    const known = streams.get(event.stream_id);
    if (known && event.version <= known.version) throw new BadRecord({ ...record, reason: `version ${event.version} comes after version ${known.version} of its stream` });
    if (known && event.version === known.version + 1 && event.prev_hash !== known.hash) {
      throw new BadRecord({ ...record, reason: `prev_hash is not the hash of version ${known.version} in this export` });
    }
    const expected = (known?.version ?? 0) + 1;
    if (complete && event.version !== expected) {
      throw new BadRecord({ ...record, reason: `versions ${expected}–${event.version - 1} of the stream are missing from a whole-ledger export` });
    }
    streams.set(event.stream_id, { version: event.version, hash: event.hash });
    events++;
    lastPosition = event.position;
    segmentStart ??= event.position;
    if (complete) {
      head = extendLedger(head, event.position, Buffer.from(event.hash, 'hex'));
      if (given && !givenChecked && String(events) === given.events) {
        givenChecked = true;
        checkAgainst(line, given, 'the checkpoint given by --checkpoint, seq');
      }
    }
  }
  const lineCount = line + 1;
  if (held !== endText) throw new BadRecord({ line: lineCount, reason: 'the export changed while it was being read' });

  const covering = end.checkpoint;
  checkSignature(covering, options.publicKey, lineCount);
  if (end.export.events !== events) throw new BadRecord({ line: lineCount, checkpoint: covering.seq, reason: `the export says it holds ${end.export.events} events but holds ${events}` });
  if (previous && covering.seq < previous.seq) throw new BadRecord({ line: lineCount, checkpoint: covering.seq, reason: `the covering checkpoint ${covering.seq} is older than checkpoint ${previous.seq} inside the export` });
  if (complete) {
    if (previous && covering.seq === previous.seq + 1 && covering.previous_head !== previous.head) {
      throw new BadRecord({ line: lineCount, checkpoint: covering.seq, reason: `checkpoint ${covering.seq} does not extend checkpoint ${previous.seq}'s head` });
    }
    if (BigInt(covering.events) < BigInt(events)) {
      throw new BadRecord({ line: lineCount, checkpoint: covering.seq, reason: `the last checkpoint does not cover the last event (it signs ${covering.events} events, the export holds ${events})` });
    }
    checkAgainst(lineCount, covering, 'signed checkpoint');
    if (given && !givenChecked) throw new BadRecord({ line: lineCount, checkpoint: given.seq, reason: `the checkpoint given by --checkpoint (seq ${given.seq}, ${given.events} events) is not in this export's chain` });
  } else if (given && given.seq === covering.seq && (given.head !== covering.head || given.events !== covering.events)) {
    throw new BadRecord({ line: lineCount, checkpoint: given.seq, reason: `the covering checkpoint ${covering.seq} differs from the one given by --checkpoint` });
  }
  return { events, streams: streams.size, checkpoints: checkpoints + (previous?.seq === covering.seq ? 0 : 1), complete, covering, filters: end.export.filters };
}

function checkSignature(checkpoint: Checkpoint, publicKey: string, line: number): void {
  if (!verifyCheckpoint(checkpoint, publicKey)) {
    throw new BadRecord({ line, position: checkpoint.position, checkpoint: checkpoint.seq, reason: `signature of checkpoint ${checkpoint.seq} does not verify with the given public key` });
  }
}

/** The export's end record, read from the file's tail (its last line, whatever ends it). */
async function readEnd(path: string): Promise<{ end: ExportEnd; text: string }> {
  const file = await open(path);
  let text: string;
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(size, 1 << 16));
    await file.read(tail, 0, tail.length, size - tail.length);
    text = tail.toString('utf8').replace(/\r?\n$/, '');
    text = text.slice(text.lastIndexOf('\n') + 1).replace(/\r$/, '');
  } finally {
    await file.close();
  }
  const end = text.startsWith('{"checkpoint"') ? parseCheckpointLine(text, 0) : undefined;
  if (!end || typeof end.export !== 'object' || end.export === null) {
    throw new BadRecord({ line: 0, reason: 'no signed checkpoint covers this export (its last line is not the covering checkpoint: cut short?)' });
  }
  return { end: end as ExportEnd, text };
}

function parseCheckpointLine(text: string, line: number): { checkpoint: Checkpoint; export?: ExportEnd['export'] } {
  let parsed: { checkpoint?: Checkpoint; export?: ExportEnd['export'] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new BadRecord({ line, reason: 'not a JSON record' });
  }
  const checkpoint = parsed.checkpoint;
  if (typeof checkpoint !== 'object' || checkpoint === null || typeof checkpoint.seq !== 'number' || typeof checkpoint.signature !== 'string') {
    throw new BadRecord({ line, reason: 'malformed checkpoint record' });
  }
  return { checkpoint, export: parsed.export };
}

interface ExportedEvent {
  readonly position: string;
  readonly stream_id: string;
  readonly version: number;
  readonly type: string;
  readonly schema_version: number;
  readonly recorded_at_us: bigint;
  readonly data: string;
  readonly metadata: string;
  readonly prev_hash: string | null;
  readonly hash: string;
}

function parseEvent(text: string, line: number): ExportedEvent {
  const malformed = (what: string): BadRecord => new BadRecord({ line, reason: `malformed event record: ${what}` });
  let value: Record<string, unknown>;
  try {
    value = parseLossless(text) as Record<string, unknown>;
  } catch (error) {
    throw malformed((error as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('not an object');
  const { position, stream_id, type, recorded_at, prev_hash, hash } = value;
  if (typeof position !== 'string' || !POSITION.test(position)) throw malformed('position');
  if (typeof stream_id !== 'string' || typeof type !== 'string') throw malformed('stream_id or type');
  const version = integer(value.version);
  const schemaVersion = integer(value.schema_version);
  if (version === undefined || version < 1 || schemaVersion === undefined) throw malformed('version or schema_version');
  if (typeof hash !== 'string' || !HEX_HASH.test(hash) || (prev_hash !== null && (typeof prev_hash !== 'string' || !HEX_HASH.test(prev_hash)))) throw malformed('hash or prev_hash');
  if (!('data' in value) || !('metadata' in value)) throw malformed('data or metadata');
  let recordedAt: bigint;
  try {
    recordedAt = epochMicros(String(recorded_at));
  } catch {
    throw malformed('recorded_at');
  }
  return {
    position, stream_id, version, type, schema_version: schemaVersion, recorded_at_us: recordedAt,
    data: renderJsonb(value.data), metadata: renderJsonb(value.metadata), prev_hash: prev_hash as string | null, hash,
  };
}

/** A canonical integer as Postgres prints one (no sign, point or exponent), within int32. */
function integer(value: unknown): number | undefined {
  if (!isLosslessNumber(value) || !/^(0|-?[1-9]\d{0,9})$/.test(value.value)) return undefined;
  const number = Number(value.value);
  return number <= 2147483647 && number >= -2147483648 ? number : undefined;
}

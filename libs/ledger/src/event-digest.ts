import { createHash } from 'node:crypto';

/** What `hl_event_digest` hashes of an event, with data and metadata already as `jsonb::text`. */
export interface DigestedEvent {
  readonly stream_id: string;
  readonly version: number | string;
  readonly type: string;
  readonly schema_version: number | string;
  /** Microseconds since the Unix epoch, as the database hashes `recorded_at`. */
  readonly recorded_at_us: bigint | string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * `hl_event_digest` (migration 1732400000000) in JS:
 * sha256(prev ‖ UTF-8 of stream_id \n version \n type \n schema \n epoch µs \n data \n metadata).
 */
export function eventDigest(prevHash: Buffer | null, event: DigestedEvent): Buffer {
  const text = [event.stream_id, String(event.version), event.type, String(event.schema_version), String(event.recorded_at_us), event.data, event.metadata].join('\n');
  const hash = createHash('sha256');
  if (prevHash) hash.update(prevHash);
  return hash.update(text, 'utf8').digest();
}

const ISO_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/** `2026-11-30T00:00:00.123456Z` → 1796083200123456n: the export's time, as the digest hashes it. */
export function epochMicros(isoUtc: string): bigint {
  const match = ISO_MICROS.exec(isoUtc);
  const wholeSecondsMs = match ? Date.parse(`${match[1]}Z`) : NaN;
  if (!match || Number.isNaN(wholeSecondsMs)) throw new Error(`not an ISO-8601 UTC time with microseconds: ${isoUtc}`);
  return BigInt(wholeSecondsMs) * 1000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}

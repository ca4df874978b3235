import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { canonicalJsonb, eventDigest } from '@hookledger/ledger';
import { AppendedEvent, ConcurrencyError, NewEvent, RecordedEvent, StreamAppend } from './event';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './event-row';
import { preparedQuery } from './prepared-query';
import { InlineProjections } from './projections/inline-projections';
import type { Projector } from './projections/projector';
import { PROJECTORS } from './projections/registry';

// The append's two round trips (migration 1732400000090). The first creates the streams appended
// without an expected version, locks every appended stream in id order and reads the heads, the
// transaction's now() (what recorded_at will hold, in the epoch microseconds the digest hashes) and
// its xid; the second writes the events with the versions and chain digests computed here, and the
// new heads, refusing (HL409) any head that is not where the first found it.
const HEADS_SQL = `SELECT stream_ids, versions, last_hashes, now_us, xid FROM hl_append_heads($1, $2, $3)`;
const CHAINED_SQL = `
  SELECT stream_id, stream_version, global_position::text AS global_position
    FROM hl_append_chained($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb[], $12::jsonb[], $13, $14)`;
// The append before migration 1732400000090, for a store not migrated that far (see `append`).
const LEGACY_APPEND_SQL = `SELECT stream_id, stream_version, global_position FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`;
const LEGACY_APPEND_PROJECTED_SQL = `
  SELECT stream_id, stream_version, global_position, pg_current_xact_id()::text AS xid,
         floor(extract(epoch FROM now()) * 1000)::float8 AS recorded_ms
    FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`;
const HAS_CHAINED_SQL = `SELECT to_regprocedure('hl_append_heads(text[], text[], text[])') IS NOT NULL AS chained`;
const STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.stream_id = $1 ORDER BY e.stream_version`;

/** Replaces the registry's inline projectors (a test that wants the store alone passes []). */
export const INLINE_PROJECTORS = Symbol('INLINE_PROJECTORS');

/** A stream's events and the version an append after them expects (0 for a stream not yet written). */
export interface LoadedStream {
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

interface HeadsRow {
  /** Null when none of the streams has a row yet. */
  stream_ids: string[] | null;
  versions: number[] | null;
  last_hashes: (Buffer | null)[] | null;
  now_us: string;
  xid: string;
}

interface AppendRow {
  stream_id: string;
  stream_version: number;
  global_position: string;
  xid?: string;
  recorded_ms?: number;
}

/**
 * Appends to the event store and applies the inline projections of what it appended. It always
 * runs inside the caller's transaction (an EntityManager from `dataSource.transaction`), so the
 * projected rows commit or roll back with the events they come from.
 */
@Injectable()
export class EventStore {
  private readonly inline: InlineProjections;
  /** Whether the store has migration 090's functions; read once, at the first append. */
  private chained: boolean | undefined;

  constructor(@Optional() @Inject(INLINE_PROJECTORS) projectors?: readonly Projector[]) {
    this.inline = new InlineProjections(projectors ?? PROJECTORS);
  }

  /**
   * Appends to every stream in two round trips, computing each event's version and chain digest
   * (`hl_event_digest`'s, over the canonical text it also sends); throws ConcurrencyError when any
   * expected version is stale, before anything is written. Outside a transaction it opens its own:
   * the digests need the heads locked and the time of the transaction that writes them.
   */
  async append(tx: EntityManager, appends: readonly StreamAppend[]): Promise<AppendedEvent[]> {
    if (appends.length === 0) return [];
    // A store not yet migrated to 090 (code rolled out before its migration ran; the specs of older
    // migrations, which record events as the code of their time did) appends as it did before.
    this.chained ??= ((await tx.query(HAS_CHAINED_SQL)) as { chained: boolean }[])[0].chained;
    if (!this.chained) return this.appendInDatabase(tx, appends);
    if (!tx.queryRunner?.isTransactionActive) return tx.transaction((inner) => this.append(inner, appends));
    const seen = new Set<string>();
    const streamIds: string[] = [];
    const createIds: string[] = [];
    const createTypes: string[] = [];
    let projected = false;
    for (const append of appends) {
      if (seen.has(append.streamId)) throw new Error(`stream ${append.streamId} appears twice in one append`);
      seen.add(append.streamId);
      streamIds.push(append.streamId);
      if (append.expectedVersion === null) {
        createIds.push(append.streamId);
        createTypes.push(append.streamType);
      }
      if (!projected) for (const event of append.events) projected ||= this.inline.handles(event.type);
    }
    const [heads] = await preparedQuery<HeadsRow>(tx, 'hl_append_heads', HEADS_SQL, [streamIds, createIds, createTypes]);
    const headOf = new Map<string, number>();
    heads.stream_ids?.forEach((id, i) => headOf.set(id, i));
    const recordedUs = heads.now_us;

    const types: string[] = [];
    const prevVersions: number[] = [];
    const versions: number[] = [];
    const hashes: (Buffer | null)[] = [];
    const isNew: boolean[] = [];
    const eventStreams: string[] = [];
    const eventVersions: number[] = [];
    const eventTypes: string[] = [];
    const schemas: number[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const eventHashes: Buffer[] = [];
    const originals: NewEvent[] = [];
    for (const append of appends) {
      const at = headOf.get(append.streamId);
      const actual = at === undefined ? 0 : heads.versions![at];
      if (append.expectedVersion !== null && append.expectedVersion !== actual) {
        throw new ConcurrencyError(append.streamId, `stream ${append.streamId} is at version ${actual}, expected ${append.expectedVersion}`);
      }
      let version = actual;
      let hash = at === undefined ? null : heads.last_hashes![at];
      for (const event of append.events) {
        version++;
        const schema = event.schema_version ?? 1;
        const dataText = canonicalJsonb(event.data);
        if (dataText === undefined) throw new TypeError(`event ${event.type} for stream ${append.streamId} has no JSON data`);
        const metadataText = canonicalJsonb(event.metadata ?? {}) ?? '{}';
        hash = eventDigest(hash, {
          stream_id: append.streamId, version, type: event.type, schema_version: schema, recorded_at_us: recordedUs, data: dataText, metadata: metadataText,
        });
        eventStreams.push(append.streamId);
        eventVersions.push(version);
        eventTypes.push(event.type);
        schemas.push(schema);
        data.push(dataText);
        metadata.push(metadataText);
        eventHashes.push(hash);
        originals.push(event);
      }
      types.push(append.streamType);
      prevVersions.push(actual);
      versions.push(version);
      hashes.push(hash);
      isNew.push(at === undefined);
    }
    let rows: AppendRow[];
    try {
      rows = await preparedQuery<AppendRow>(tx, 'hl_append_chained', CHAINED_SQL, [
        streamIds, types, prevVersions, versions, hashes, isNew, eventStreams, eventVersions, eventTypes, schemas, data, metadata, eventHashes, recordedUs,
      ]);
    } catch (error) {
      throw translateAppendError(error);
    }
    const appended = rows.map((row) => ({ streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: BigInt(row.global_position) }));
    if (projected) {
      // The projector gets the event's own data, which is plain JSON (the domain's events hold
      // strings, numbers, booleans, null, arrays and objects): the same values a rebuild reads back
      // from jsonb. One transaction, one xid and one now() for every row, read with the heads:
      // recorded_at to the whole millisecond, as a rebuild's Date holds it.
      const transactionId = BigInt(heads.xid);
      const recordedAt = new Date(Number(BigInt(recordedUs) / 1000n));
      const recorded: RecordedEvent[] = rows.map((row, i) => ({
        streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: appended[i].globalPosition, transactionId, recordedAt,
        type: eventTypes[i], schema_version: schemas[i], data: originals[i].data as Record<string, unknown>, metadata: originals[i].metadata ?? {},
      }));
      await this.inline.apply(tx, recorded);
    }
    return appended;
  }

  /** The append through hl_append_events, which versions and hashes in Postgres, in one round trip. */
  private async appendInDatabase(tx: EntityManager, appends: readonly StreamAppend[]): Promise<AppendedEvent[]> {
    const streamIds: string[] = [];
    const streamTypes: string[] = [];
    const expected: (number | null)[] = [];
    const eventStreams: string[] = [];
    const types: string[] = [];
    const originals: NewEvent[] = [];
    const schemas: number[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const seen = new Set<string>();
    let projected = false;
    for (const append of appends) {
      if (seen.has(append.streamId)) throw new Error(`stream ${append.streamId} appears twice in one append`);
      seen.add(append.streamId);
      streamIds.push(append.streamId);
      streamTypes.push(append.streamType);
      expected.push(append.expectedVersion);
      for (const event of append.events) {
        eventStreams.push(append.streamId);
        types.push(event.type);
        originals.push(event);
        schemas.push(event.schema_version ?? 1);
        data.push(JSON.stringify(event.data));
        metadata.push(JSON.stringify(event.metadata ?? {}));
        projected ||= this.inline.handles(event.type);
      }
    }
    let rows: AppendRow[];
    try {
      rows = await tx.query(projected ? LEGACY_APPEND_PROJECTED_SQL : LEGACY_APPEND_SQL, [
        streamIds, streamTypes, expected, eventStreams, types, schemas, data, metadata,
      ]);
    } catch (error) {
      throw translateAppendError(error);
    }
    const appended = rows.map((row) => ({ streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: BigInt(row.global_position) }));
    if (projected) {
      const transactionId = BigInt(rows[0].xid!);
      const recordedAt = new Date(rows[0].recorded_ms!);
      await this.inline.apply(tx, rows.map((row, i) => ({
        streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: appended[i].globalPosition, transactionId, recordedAt,
        type: types[i], schema_version: schemas[i], data: originals[i].data as Record<string, unknown>, metadata: originals[i].metadata ?? {},
      })));
    }
    return appended;
  }

  /** A stream's events in version order, to fold into an aggregate's state before deciding. */
  async loadStream(db: EntityManager, streamId: string): Promise<LoadedStream> {
    const rows: EventRow[] = await db.query(STREAM_SQL, [streamId]);
    const events = rows.map(toRecordedEvent);
    return { version: events.length ? events[events.length - 1].streamVersion : 0, events };
  }
}

export function translateAppendError(error: unknown): unknown {
  const pgError = error as { code?: string; detail?: string; message?: string; driverError?: { code?: string; detail?: string } };
  const code = pgError.code ?? pgError.driverError?.code;
  if (code === 'HL409') {
    return new ConcurrencyError(pgError.detail ?? pgError.driverError?.detail ?? 'unknown', pgError.message ?? 'concurrency conflict');
  }
  return error;
}

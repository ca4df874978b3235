import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppendedEvent, ConcurrencyError, NewEvent, RecordedEvent, StreamAppend } from './event';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './event-row';
import { preparedQuery } from './prepared-query';
import { InlineProjections } from './projections/inline-projections';
import type { Projector } from './projections/projector';
import { PROJECTORS } from './projections/registry';

const APPEND_SQL = `SELECT stream_id, stream_version, global_position FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`;
// Only for appends an inline projector handles: the function stamps recorded_at with now() and the
// row's transaction_id defaults to pg_current_xact_id(), both fixed for the transaction, so the
// same expressions here hand the projector what a rebuild will read back — without a second trip.
// now() comes as whole epoch milliseconds (exact: extract gives numeric), which is what a rebuild's
// Date holds too, and costs the driver a number to parse per row instead of a timestamp.
const APPEND_PROJECTED_SQL = `
  SELECT stream_id, stream_version, global_position, pg_current_xact_id()::text AS xid,
         floor(extract(epoch FROM now()) * 1000)::float8 AS recorded_ms
    FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`;
const STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.stream_id = $1 ORDER BY e.stream_version`;

/** Replaces the registry's inline projectors (a test that wants the store alone passes []). */
export const INLINE_PROJECTORS = Symbol('INLINE_PROJECTORS');

/** A stream's events and the version an append after them expects (0 for a stream not yet written). */
export interface LoadedStream {
  readonly version: number;
  readonly events: readonly RecordedEvent[];
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

  constructor(@Optional() @Inject(INLINE_PROJECTORS) projectors?: readonly Projector[]) {
    this.inline = new InlineProjections(projectors ?? PROJECTORS);
  }

  /** Appends to every stream in one round trip; throws ConcurrencyError when any expected version is stale. */
  async append(tx: EntityManager, appends: readonly StreamAppend[]): Promise<AppendedEvent[]> {
    if (appends.length === 0) return [];
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
      rows = await preparedQuery<AppendRow>(tx, projected ? 'hl_append_events_projected' : 'hl_append_events', projected ? APPEND_PROJECTED_SQL : APPEND_SQL, [
        streamIds, streamTypes, expected, eventStreams, types, schemas, data, metadata,
      ]);
    } catch (error) {
      throw translateAppendError(error);
    }
    const appended = rows.map((row) => ({ streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: BigInt(row.global_position) }));
    if (projected) {
      // The projector gets the event's own data, which is plain JSON (the domain's events hold
      // strings, numbers, booleans, null, arrays and objects): the same values a rebuild reads back
      // from jsonb. Parsing back what was just stringified cost the hot path a JSON.parse of every
      // event (4 KiB response bodies included) for nothing.
      // One transaction, one xid and one now() for every row: read once.
      const transactionId = BigInt(rows[0].xid!);
      const recordedAt = new Date(rows[0].recorded_ms!);
      const recorded: RecordedEvent[] = rows.map((row, i) => ({
        streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: appended[i].globalPosition, transactionId, recordedAt,
        type: types[i], schema_version: schemas[i], data: originals[i].data as Record<string, unknown>, metadata: originals[i].metadata ?? {},
      }));
      await this.inline.apply(tx, recorded);
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

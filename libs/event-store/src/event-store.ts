import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppendedEvent, ConcurrencyError, StreamAppend } from './event';
import { preparedQuery } from './prepared-query';

const APPEND_SQL = `SELECT stream_id, stream_version, global_position FROM hl_append_events($1, $2, $3, $4, $5, $6, $7, $8)`;

/**
 * Appends to the event store. It always runs inside the caller's transaction (an EntityManager
 * from `dataSource.transaction`), so projections written by the caller commit or roll back with
 * the events they come from.
 */
@Injectable()
export class EventStore {
  /** Appends to every stream in one round trip; throws ConcurrencyError when any expected version is stale. */
  async append(tx: EntityManager, appends: readonly StreamAppend[]): Promise<AppendedEvent[]> {
    if (appends.length === 0) return [];
    const streamIds: string[] = [];
    const streamTypes: string[] = [];
    const expected: (number | null)[] = [];
    const eventStreams: string[] = [];
    const types: string[] = [];
    const schemas: number[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const seen = new Set<string>();
    for (const append of appends) {
      if (seen.has(append.streamId)) throw new Error(`stream ${append.streamId} appears twice in one append`);
      seen.add(append.streamId);
      streamIds.push(append.streamId);
      streamTypes.push(append.streamType);
      expected.push(append.expectedVersion);
      for (const event of append.events) {
        eventStreams.push(append.streamId);
        types.push(event.type);
        schemas.push(event.schema_version ?? 1);
        data.push(JSON.stringify(event.data));
        metadata.push(JSON.stringify(event.metadata ?? {}));
      }
    }
    try {
      const rows = await preparedQuery<{ stream_id: string; stream_version: number; global_position: string }>(tx, 'hl_append_events', APPEND_SQL, [
        streamIds, streamTypes, expected, eventStreams, types, schemas, data, metadata,
      ]);
      return rows.map((row) => ({ streamId: row.stream_id, streamVersion: row.stream_version, globalPosition: BigInt(row.global_position) }));
    } catch (error) {
      throw translateAppendError(error);
    }
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

import type { DataSource } from 'typeorm';
import type { EventMetadata, Projector, RecordedEvent } from '@hookledger/event-store';

/** A past event as a spec states it: which stream, what happened, and when (default: a fixed clock that ticks 1 s per event). */
export interface GivenEvent {
  readonly streamId: string;
  readonly event: { readonly type: string; readonly schema_version?: number; readonly data: object };
  readonly recordedAt?: Date;
  readonly metadata?: EventMetadata;
}

const CLOCK = Date.parse('2024-01-01T00:00:00.000Z');

/**
 * Projection specs in the style of Emmett's, on a real Postgres database (one cloned from the
 * migrated template, see createTestDatabase):
 *
 *   await projectorSpec(eventTypesProjector, db).given(...events).then('event_types', rows);
 *
 * The events get stream versions and positions as the store would give them and go to the
 * projector's apply in one transaction, which is rolled back after the rows are read, so every
 * spec starts from empty tables and specs of one file never see each other's rows.
 */
export function projectorSpec(projector: Projector, db: DataSource) {
  const outcome = (given: readonly GivenEvent[], batchSize: number) => ({
    /** Asserts the table holds exactly `rows` (every column, in `orderBy` order). */
    then: async (table: string, rows: readonly Record<string, unknown>[], orderBy = '1'): Promise<void> => {
      expect(await project(projector, db, given, batchSize, `SELECT * FROM "${table}" ORDER BY ${orderBy}`)).toEqual(rows);
    },
    /** Answers what `sql` reads after the events were projected, for assertions of your own. */
    query: (sql: string, params: readonly unknown[] = []) => project(projector, db, given, batchSize, sql, params),
  });
  return {
    /** All the events in one call of apply, as one append (or one catch-up batch) hands them over. */
    given: (...given: readonly GivenEvent[]) => outcome(given, Math.max(given.length, 1)),
    /** Each event in a call of its own, as separate appends do: what a projector reads back of its own rows. */
    givenOneByOne: (...given: readonly GivenEvent[]) => outcome(given, 1),
    /** The events in calls of `size` each: a later append meeting rows an earlier one wrote. */
    givenInBatchesOf: (size: number, ...given: readonly GivenEvent[]) => outcome(given, size),
  };
}

async function project(projector: Projector, db: DataSource, given: readonly GivenEvent[], batchSize: number, sql: string, params: readonly unknown[] = []) {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    for (const table of [...projector.tables].reverse()) await runner.query(`DELETE FROM "${table}"`);
    const events = recorded(given);
    for (let i = 0; i < events.length; i += batchSize) await projector.apply(runner.manager, events.slice(i, i + batchSize));
    return (await runner.query(sql, [...params])) as Record<string, unknown>[];
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}

function recorded(given: readonly GivenEvent[]): RecordedEvent[] {
  const versions = new Map<string, number>();
  return given.map(({ streamId, event, recordedAt, metadata }, i) => {
    const streamVersion = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, streamVersion);
    return {
      streamId, streamVersion, globalPosition: BigInt(i + 1), transactionId: BigInt(i + 1),
      recordedAt: recordedAt ?? new Date(CLOCK + i * 1000),
      type: event.type, schema_version: event.schema_version ?? 1,
      // Through JSON, as the store's jsonb hands data back to a rebuild.
      data: JSON.parse(JSON.stringify(event.data)), metadata: metadata ?? {},
    };
  });
}

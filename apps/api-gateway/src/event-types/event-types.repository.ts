import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EventStore, NewEvent } from '@hookledger/event-store';
import type { EventTypeResource } from './event-type.dto';

export interface EventTypeRow {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What publishing needs to know of a type: its schema, whether it is archived, and a version to cache the compiled schema by. */
export interface CatalogEntry {
  readonly name: string;
  readonly schema: Record<string, unknown> | null;
  readonly archived: boolean;
  readonly version: string;
}

export const eventTypeStream = (name: string) => `event-type-${name}`;

export const toEventTypeResource = (row: EventTypeRow): EventTypeResource => ({
  name: row.name,
  description: row.description,
  schema: row.schema,
  archived_at: row.archived_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/**
 * The `event_types` catalog. Every change is also appended to the `event-type-<name>` stream in
 * the same transaction, so the ledger shows who changed which schema when.
 */
@Injectable()
export class EventTypesRepository {
  constructor(private readonly db: DataSource, private readonly store: EventStore) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Returns null when the name is taken (archived types keep their name). */
  async create(tx: EntityManager, row: Pick<EventTypeRow, 'name' | 'description' | 'schema'>, event: NewEvent): Promise<EventTypeRow | null> {
    const rows: EventTypeRow[] = await tx.query(
      `INSERT INTO event_types (name, description, schema) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING *`,
      [row.name, row.description, jsonOrNull(row.schema)],
    );
    if (rows.length === 0) return null;
    await this.store.append(tx, [{ streamId: eventTypeStream(row.name), streamType: 'event-type', expectedVersion: 0, events: [event] }]);
    return rows[0];
  }

  /** Locks the row for the rest of the transaction. */
  async lock(tx: EntityManager, name: string): Promise<EventTypeRow | null> {
    const rows: EventTypeRow[] = await tx.query(`SELECT * FROM event_types WHERE name = $1 FOR UPDATE`, [name]);
    return rows[0] ?? null;
  }

  /** Writes `next` and appends `events`; the row lock (not a version) keeps changes to one type in order. */
  async update(tx: EntityManager, next: EventTypeRow, events: readonly NewEvent[]): Promise<EventTypeRow> {
    await this.store.append(tx, [{ streamId: eventTypeStream(next.name), streamType: 'event-type', expectedVersion: null, events }]);
    // TypeORM answers an UPDATE on Postgres with [rows, affected count].
    const [rows]: [EventTypeRow[], number] = await tx.query(
      `UPDATE event_types SET description = $2, schema = $3, archived_at = $4, updated_at = now() WHERE name = $1 RETURNING *`,
      [next.name, next.description, jsonOrNull(next.schema), next.archived_at],
    );
    return rows[0];
  }

  async find(name: string): Promise<EventTypeRow | null> {
    const rows: EventTypeRow[] = await this.db.query(`SELECT * FROM event_types WHERE name = $1`, [name]);
    return rows[0] ?? null;
  }

  async list(after: string | null, limit: number, includeArchived: boolean): Promise<EventTypeRow[]> {
    return this.db.query(
      `SELECT * FROM event_types WHERE ($3::boolean OR archived_at IS NULL) AND ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`,
      [after, limit, includeArchived],
    );
  }

  /** Of `names`, the types publishing must check: those with a schema or archived. One query per publish. */
  async catalogOf(names: readonly string[]): Promise<Map<string, CatalogEntry>> {
    const rows: { name: string; schema: Record<string, unknown> | null; archived: boolean; version: string }[] = await this.db.query(
      `SELECT name, schema, archived_at IS NOT NULL AS archived, updated_at::text AS version
         FROM event_types WHERE name = ANY($1) AND (schema IS NOT NULL OR archived_at IS NOT NULL)`,
      [names],
    );
    return new Map(rows.map((row) => [row.name, row]));
  }
}

const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

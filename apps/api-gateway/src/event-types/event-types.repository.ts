import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '@hookledger/event-store';
import type { EventTypeResource } from './event-type.dto';

/** A row of the `event-types` projection (libs/event-store eventTypesProjector, its only writer). */
export interface EventTypeRow {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** What publishing needs to know of a type: its schema, whether it is archived, and a version to cache the compiled schema by. */
export interface CatalogEntry {
  readonly name: string;
  readonly schema: Record<string, unknown> | null;
  readonly archived: boolean;
  readonly version: string;
}

export const toEventTypeResource = (row: EventTypeRow): EventTypeResource => ({
  name: row.name,
  description: row.description,
  schema: row.schema,
  archived_at: row.archived_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/** Reads the catalog. Changes go through the commands in ./commands, and reach the table through its projector. */
@Injectable()
export class EventTypesRepository {
  constructor(private readonly db: DataSource) {}

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

  /** Of `names`, the types publishing must check: those with a schema or archived. One prepared query per publish. */
  async catalogOf(names: readonly string[]): Promise<Map<string, CatalogEntry>> {
    const rows = await preparedQuery<CatalogEntry>(this.db, 'hl_event_catalog_of', `${CATALOG_SELECT} AND name = ANY($1)`, [names]);
    return new Map(rows.map((row) => [row.name, row]));
  }

  /** Every type publishing must check, to compile their schemas before the first publish (a start's warm-up). */
  async catalog(): Promise<CatalogEntry[]> {
    return this.db.query(CATALOG_SELECT);
  }
}

const CATALOG_SELECT = `SELECT name, schema, archived_at IS NOT NULL AS archived, version::text AS version
  FROM event_types WHERE (schema IS NOT NULL OR archived_at IS NOT NULL)`;

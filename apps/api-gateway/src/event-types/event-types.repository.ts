import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventTypeResource } from './event-type.dto';

interface EventTypeRow {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toResource = (row: EventTypeRow): EventTypeResource => ({
  name: row.name,
  description: row.description,
  schema: row.schema,
  archived_at: row.archived_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

@Injectable()
export class EventTypesRepository {
  constructor(private readonly db: DataSource) {}

  /** Returns null when the name is taken. */
  async create(input: { name: string; description: string; schema: Record<string, unknown> | null }): Promise<EventTypeResource | null> {
    const rows: EventTypeRow[] = await this.db.query(
      `INSERT INTO event_types (name, description, schema) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [input.name, input.description, input.schema === null ? null : JSON.stringify(input.schema)],
    );
    return rows[0] ? toResource(rows[0]) : null;
  }

  async find(name: string): Promise<EventTypeResource | null> {
    const rows: EventTypeRow[] = await this.db.query(`SELECT * FROM event_types WHERE name = $1`, [name]);
    return rows[0] ? toResource(rows[0]) : null;
  }

  async list(after: string | null, limit: number): Promise<EventTypeResource[]> {
    const rows: EventTypeRow[] = await this.db.query(
      `SELECT * FROM event_types WHERE archived_at IS NULL AND ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`,
      [after, limit],
    );
    return rows.map(toResource);
  }
}

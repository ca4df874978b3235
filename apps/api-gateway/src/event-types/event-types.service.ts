import { HttpStatus, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { NewEvent } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { actorOf, Principal } from '../auth/principal';
import { compileEventSchema, InvalidEventSchemaError } from './event-schema';
import type { CreateEventTypeDto, EventTypeResource, UpdateEventTypeDto } from './event-type.dto';
import { EventTypeRow, EventTypesRepository, toEventTypeResource } from './event-types.repository';

/** The event catalog: names, descriptions and the JSON Schemas published data must satisfy. Delete archives. */
@Injectable()
export class EventTypesService {
  constructor(private readonly eventTypes: EventTypesRepository) {}

  async create(input: CreateEventTypeDto, principal: Principal): Promise<EventTypeResource> {
    const fields = { name: input.name, description: input.description ?? '', schema: input.schema ?? null };
    checkSchema(fields.schema);
    const created = await this.eventTypes.transaction((tx) =>
      this.eventTypes.create(tx, fields, { type: 'EventTypeCreated', data: fields, metadata: { actor: actorOf(principal) } }),
    );
    if (!created) {
      throw new ProblemException(HttpStatus.CONFLICT, `Event type "${input.name}" already exists (archived types keep their name; restore one with PATCH {"archived": false}).`, {
        errors: [{ field: 'name', message: 'an event type with this name exists' }],
      });
    }
    return toEventTypeResource(created);
  }

  async get(name: string): Promise<EventTypeResource> {
    const row = await this.eventTypes.find(name);
    if (!row) throw notFound(name);
    return toEventTypeResource(row);
  }

  async update(name: string, input: UpdateEventTypeDto, principal: Principal): Promise<EventTypeResource> {
    if (input.schema !== undefined) checkSchema(input.schema);
    const row = await this.eventTypes.transaction(async (tx) => {
      const current = await this.eventTypes.lock(tx, name);
      if (!current) throw notFound(name);
      const metadata = { actor: actorOf(principal) };
      const changes: Partial<Pick<EventTypeRow, 'description' | 'schema'>> = {};
      if (input.description !== undefined && input.description !== current.description) changes.description = input.description;
      if (input.schema !== undefined && !isDeepStrictEqual(input.schema, current.schema)) changes.schema = input.schema;
      const events: NewEvent[] = Object.keys(changes).length > 0 ? [{ type: 'EventTypeUpdated', data: { name, changes }, metadata }] : [];
      let archivedAt = current.archived_at;
      if (input.archived === true && !archivedAt) {
        archivedAt = new Date();
        events.push({ type: 'EventTypeArchived', data: { name }, metadata });
      } else if (input.archived === false && archivedAt) {
        archivedAt = null;
        events.push({ type: 'EventTypeRestored', data: { name }, metadata });
      }
      if (events.length === 0) return current;
      return this.eventTypes.update(tx, { ...current, ...changes, archived_at: archivedAt }, events);
    });
    return toEventTypeResource(row);
  }

  /** Archives: the type keeps its history and its name, leaves the list, and refuses new events. Idempotent. */
  async archive(name: string, principal: Principal): Promise<void> {
    await this.update(name, { archived: true }, principal);
  }
}

function checkSchema(schema: Record<string, unknown> | null): void {
  if (schema === null) return;
  try {
    compileEventSchema(schema);
  } catch (error) {
    if (!(error instanceof InvalidEventSchemaError)) throw error;
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `The schema is not a usable JSON Schema: ${error.message}`, { errors: error.errors });
  }
}

const notFound = (name: string) => new ProblemException(HttpStatus.NOT_FOUND, `Event type "${name}" does not exist.`);

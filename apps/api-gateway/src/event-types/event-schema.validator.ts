import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { ProblemException } from '@hookledger/observability';
import { compileEventSchema, FieldError, fieldErrors } from './event-schema';
import { CatalogEntry, EventTypesRepository } from './event-types.repository';

const MAX_REPORTED = 50;

/**
 * Checks published events against the catalog before they are accepted: data must satisfy its
 * type's JSON Schema, and archived types take no new events. Types not in the catalog pass (the
 * catalog is optional). Schemas are compiled once per version (`updated_at`), not per request.
 */
@Injectable()
export class EventSchemaValidator {
  private readonly logger = new Logger(EventSchemaValidator.name);
  private readonly compiled = new Map<string, { version: string; validate: ValidateFunction | null }>();

  constructor(private readonly eventTypes: EventTypesRepository) {}

  /** Throws 422 naming every failing field (`data.amount`, in a batch `events.3.data.amount`); nothing of a batch is accepted then. */
  async check(events: readonly { type: string; data: unknown }[], shape: 'single' | 'batch', catalog?: ReadonlyMap<string, CatalogEntry>): Promise<void> {
    // `catalog`, when given, was read with the rest of the publish's lookups (events/publish-lookup.ts).
    catalog ??= await this.eventTypes.catalogOf([...new Set(events.map((event) => event.type))]);
    if (catalog.size === 0) return;
    const errors: FieldError[] = [];
    events.forEach((event, i) => {
      const entry = catalog.get(event.type);
      if (!entry) return;
      // A single event names its fields as POST /v1/events does; a batch prefixes the element.
      const prefix = shape === 'batch' ? `events.${i}.` : '';
      if (entry.archived) {
        errors.push({ field: `${prefix}type`, message: `event type ${event.type} is archived; restore it with PATCH /v1/event-types/${event.type} {"archived": false}` });
        return;
      }
      const validate = this.validatorFor(entry);
      if (validate && !validate(event.data)) errors.push(...fieldErrors(validate.errors, `${prefix}data`));
    });
    if (errors.length === 0) return;
    const reported = errors.slice(0, MAX_REPORTED);
    throw new ProblemException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      `Refused by the event catalog, nothing was accepted: ${reported.map((e) => `${e.field} ${e.message}`).join('; ')}`,
      { errors: reported },
    );
  }

  /** Compiles every schema in the catalog now, so the first publish of each type does not wait for it (the start's warm-up). */
  async compileAll(): Promise<number> {
    const entries = await this.eventTypes.catalog();
    for (const entry of entries) this.validatorFor(entry);
    return entries.length;
  }

  private validatorFor(entry: CatalogEntry): ValidateFunction | null {
    const cached = this.compiled.get(entry.name);
    if (cached?.version === entry.version) return cached.validate;
    let validate: ValidateFunction | null = null;
    if (entry.schema) {
      try {
        validate = compileEventSchema(entry.schema);
      } catch (error) {
        // Only a schema stored before schemas were checked gets here: publishing goes on unchecked rather than failing every event.
        this.logger.error({ msg: 'the schema of an event type does not compile; its events are not checked', event_type: entry.name, err: error });
      }
    }
    this.compiled.set(entry.name, { version: entry.version, validate });
    return validate;
  }
}

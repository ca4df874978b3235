import type { DomainEvent } from '../domain-event';

/** The catalog's event types, as stored since the catalog began (all schema_version 1). */
export const EventTypeEventType = {
  EventTypeCreated: 'EventTypeCreated',
  EventTypeUpdated: 'EventTypeUpdated',
  EventTypeArchived: 'EventTypeArchived',
  EventTypeRestored: 'EventTypeRestored',
} as const;
export type EventTypeEventType = (typeof EventTypeEventType)[keyof typeof EventTypeEventType];

/** The stream type of `event-type-<name>` streams. */
export const EVENT_TYPE_STREAM_TYPE = 'event-type';

export type EventTypeSchema = Record<string, unknown>;

// Data shapes are type aliases (not interfaces) so they stay assignable to Record<string, unknown>.
export type EventTypeCreatedData = { name: string; description: string; schema: EventTypeSchema | null };
/** Only the fields that changed; `schema: null` removed the schema. */
export type EventTypeChanges = { description?: string; schema?: EventTypeSchema | null };
export type EventTypeUpdatedData = { name: string; changes: EventTypeChanges };
export type EventTypeArchivedData = { name: string };
export type EventTypeRestoredData = { name: string };

export type EventTypeCreated = DomainEvent<'EventTypeCreated', EventTypeCreatedData>;
export type EventTypeUpdated = DomainEvent<'EventTypeUpdated', EventTypeUpdatedData>;
export type EventTypeArchived = DomainEvent<'EventTypeArchived', EventTypeArchivedData>;
export type EventTypeRestored = DomainEvent<'EventTypeRestored', EventTypeRestoredData>;

export type EventTypeEvent = EventTypeCreated | EventTypeUpdated | EventTypeArchived | EventTypeRestored;

/** The stream a catalog entry's events live in: its name is its identity. */
export function eventTypeStreamId(name: string): string {
  return `event-type-${name}`;
}

export const eventTypeCreated = (data: EventTypeCreatedData): EventTypeCreated => ({
  type: EventTypeEventType.EventTypeCreated,
  schema_version: 1,
  data: { name: data.name, description: data.description, schema: data.schema },
});

export const eventTypeUpdated = (name: string, changes: EventTypeChanges): EventTypeUpdated => ({
  type: EventTypeEventType.EventTypeUpdated,
  schema_version: 1,
  data: { name, changes },
});

export const eventTypeArchived = (name: string): EventTypeArchived => ({ type: EventTypeEventType.EventTypeArchived, schema_version: 1, data: { name } });

export const eventTypeRestored = (name: string): EventTypeRestored => ({ type: EventTypeEventType.EventTypeRestored, schema_version: 1, data: { name } });

const KNOWN: ReadonlySet<string> = new Set(Object.values(EventTypeEventType));

/**
 * Reads a stored event of an `event-type-` stream into the union: the one place that knows which
 * stored shapes exist. Every shape so far is schema_version 1; an older version would be upcast
 * here. Answers null for a type this code does not know (a newer writer's), so readers skip it.
 */
export function readEventTypeEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): EventTypeEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  return { type: stored.type, schema_version: 1, data: stored.data } as EventTypeEvent;
}

import type { EventTypeSchema } from './event-type-events';

/** Adds a type to the catalog. The schema has been checked to compile before the command is made. */
export type CreateEventType = {
  readonly kind: 'CreateEventType';
  readonly name: string;
  readonly description: string;
  readonly schema: EventTypeSchema | null;
};

/** PATCH: only the fields given; `archived` true archives, false restores. */
export type ChangeEventType = {
  readonly kind: 'ChangeEventType';
  readonly name: string;
  readonly description?: string;
  readonly schema?: EventTypeSchema | null;
  readonly archived?: boolean;
};

/** DELETE: archives; idempotent. */
export type ArchiveEventType = { readonly kind: 'ArchiveEventType'; readonly name: string };

export type EventTypeCommand = CreateEventType | ChangeEventType | ArchiveEventType;

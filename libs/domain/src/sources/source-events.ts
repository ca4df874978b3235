import type { DomainEvent } from '../domain-event';
import type { SigningKeyReference } from '../endpoints/endpoint-signing-keys';

/** The incoming-webhook sources' event types (all schema_version 1). */
export const SourceEventType = {
  SourceCreated: 'SourceCreated',
  SourceUpdated: 'SourceUpdated',
  SourceSecretRotated: 'SourceSecretRotated',
  SourceDeleted: 'SourceDeleted',
} as const;
export type SourceEventType = (typeof SourceEventType)[keyof typeof SourceEventType];

/** The stream type of `source-<id>` streams. */
export const SOURCE_STREAM_TYPE = 'source';

/** Whose signature a source verifies: the provider's scheme, and how its events are named and deduplicated. */
export const SOURCE_TYPES = ['github', 'hubspot', 'stripe', 'standard', 'hmac-hex'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** A source's key names sealed material in the key table by id; events never hold a secret. */
export type SourceKeyReference = SigningKeyReference;

export type SourceCreatedData = { source_id: string; tenant_id: string; type: SourceType; name: string; secret_key_id: string };
/** Only the fields that changed. */
export type SourceChanges = { name?: string };
export type SourceUpdatedData = { source_id: string; changes: SourceChanges };
export type SourceSecretRotatedData = {
  source_id: string;
  secret_key_id: string;
  grace_period_s: number;
  /** When the keys that keep verifying next to the new one stop; null when none do. */
  previous_expire_at: string | null;
  /** Keys that stop verifying now: already expired, or cut short by a zero grace period. */
  retired_key_ids: string[];
};
export type SourceDeletedData = { source_id: string };

export type SourceCreated = DomainEvent<'SourceCreated', SourceCreatedData>;
export type SourceUpdated = DomainEvent<'SourceUpdated', SourceUpdatedData>;
export type SourceSecretRotated = DomainEvent<'SourceSecretRotated', SourceSecretRotatedData>;
export type SourceDeleted = DomainEvent<'SourceDeleted', SourceDeletedData>;

export type SourceEvent = SourceCreated | SourceUpdated | SourceSecretRotated | SourceDeleted;

export function sourceStreamId(id: string): string {
  return `source-${id}`;
}

export const sourceCreated = (data: SourceCreatedData): SourceCreated => ({ type: SourceEventType.SourceCreated, schema_version: 1, data });
export const sourceUpdated = (sourceId: string, changes: SourceChanges): SourceUpdated =>
  ({ type: SourceEventType.SourceUpdated, schema_version: 1, data: { source_id: sourceId, changes } });
export const sourceSecretRotated = (data: SourceSecretRotatedData): SourceSecretRotated => ({ type: SourceEventType.SourceSecretRotated, schema_version: 1, data });
export const sourceDeleted = (sourceId: string): SourceDeleted => ({ type: SourceEventType.SourceDeleted, schema_version: 1, data: { source_id: sourceId } });

const KNOWN: ReadonlySet<string> = new Set(Object.values(SourceEventType));

/** A stored event of a `source-` stream as the union; null for a type this code does not know. */
export function readSourceEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): SourceEvent | null {
  if (!KNOWN.has(stored.type)) return null;
  return { type: stored.type, schema_version: 1, data: stored.data } as SourceEvent;
}

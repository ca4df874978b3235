/** An event as the domain writes it: plain readonly data with a past-tense type. */
export interface NewEvent<T extends string = string, D = Record<string, unknown>> {
  readonly type: T;
  readonly data: D;
  readonly metadata?: EventMetadata;
  readonly schema_version?: number;
}

export interface EventMetadata {
  readonly causation_id?: string;
  readonly correlation_id?: string;
  /** Who did it: an API key id, `system:<app>`, … */
  readonly actor?: string;
  readonly [key: string]: unknown;
}

/** An event as stored. */
export interface RecordedEvent<T extends string = string, D = Record<string, unknown>> extends NewEvent<T, D> {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: bigint;
  readonly transactionId: bigint;
  readonly recordedAt: Date;
  readonly metadata: EventMetadata;
  readonly schema_version: number;
}

/** Events for one stream, with the version the writer saw (null = do not check, 0 = new stream). */
export interface StreamAppend {
  readonly streamId: string;
  readonly streamType: string;
  readonly expectedVersion: number | null;
  readonly events: readonly NewEvent[];
}

export interface AppendedEvent {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: bigint;
}

export class ConcurrencyError extends Error {
  constructor(readonly streamId: string, message: string) {
    super(message);
    this.name = 'ConcurrencyError';
  }
}

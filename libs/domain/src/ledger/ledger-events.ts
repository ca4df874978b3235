import type { DomainEvent } from '../domain-event';

export const LedgerEventType = { LedgerPayloadsSealed: 'LedgerPayloadsSealed' } as const;
export type LedgerEventType = (typeof LedgerEventType)[keyof typeof LedgerEventType];

/** `ledger`: facts about the ledger itself, not about one aggregate. */
export const LEDGER_STREAM_ID = 'ledger';
export const LEDGER_STREAM_TYPE = 'ledger';

/** One kind of stream migration 1732400000069 re-chained, and why. */
export type RechainedStreams = {
  /** e.g. `message payloads sealed`, `response bodies sealed`. */
  reason: string;
  streams: number;
  /** SHA-256 (hex) of the sorted stream ids joined by `\n`: a verifier holding a list can check it is this one. */
  streams_digest: string;
  /** The ids themselves, when there are at most 1,000 of them (else only the count and digest). */
  stream_ids: string[] | null;
};

/**
 * Migration 1732400000069 sealed, in place, the payloads and response bodies events appended
 * before sealing existed still held in plain text, and recomputed those streams' hashes (the only
 * time the store is edited: a plaintext payload in an append-only ledger could never be erased).
 * Appended in the same transaction, so the ledger says what was changed, when and why.
 */
export type LedgerPayloadsSealedData = {
  message_payloads: number;
  preserved_payloads: number;
  response_bodies: number;
  rechained: RechainedStreams[];
  /** Signed checkpoints existed and were overridden by HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS: they no longer match. */
  checkpoints_invalidated: number;
};
export type LedgerPayloadsSealed = DomainEvent<'LedgerPayloadsSealed', LedgerPayloadsSealedData>;
export type LedgerEvent = LedgerPayloadsSealed;

export function ledgerPayloadsSealed(data: LedgerPayloadsSealedData): LedgerPayloadsSealed {
  return { type: LedgerEventType.LedgerPayloadsSealed, schema_version: 1, data: { ...data, rechained: data.rechained.map((group) => ({ ...group })) } };
}

export { GENESIS_HEAD, extendLedger, extendLedgerOver } from './ledger-chain';
export { LedgerSigningKey, checkpointStatement, publicKeyFingerprint, verifyCheckpoint } from './checkpoint';
export type { Checkpoint, UnsignedCheckpoint } from './checkpoint';
export { canonicalJsonb, jsonbText, numericText, parseLossless, renderJsonb } from './jsonb-text';
export { eventDigest, epochMicros } from './event-digest';
export type { DigestedEvent } from './event-digest';
export { verifyExport } from './verify-export';
export type { VerifyFailure, VerifyOptions, VerifyResult, VerifySummary } from './verify-export';

export { GENESIS_HEAD, extendLedger, extendLedgerOver } from './ledger-chain';
export { LedgerSigningKey, checkpointStatement, publicKeyFingerprint, verifyCheckpoint } from './checkpoint';
export type { Checkpoint, UnsignedCheckpoint } from './checkpoint';

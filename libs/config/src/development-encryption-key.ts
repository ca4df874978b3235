/** A development-only key: it lets `npm start` run without set-up and is refused in production. */
export const DEVELOPMENT_ENCRYPTION_KEY = Buffer.from('hookledger-development-key-00000');

/** A development-only Ed25519 seed for ledger checkpoints: public, so checkpoints it signs prove nothing; refused in production. */
export const DEVELOPMENT_LEDGER_SIGNING_KEY = Buffer.from('hookledger-development-ledger-00');

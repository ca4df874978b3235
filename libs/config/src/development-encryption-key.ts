/** A development-only key: it lets `npm start` run without set-up and is refused in production. */
export const DEVELOPMENT_ENCRYPTION_KEY = Buffer.from('hookledger-development-key-00000');

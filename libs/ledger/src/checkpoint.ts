import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * A signed checkpoint: the ledger head after the first `events` events in ledger order, the last
 * of them at (`transaction_id`, `position`), signed with the Ed25519 key held outside Postgres.
 * As JSON (stored, published on `hooks.evt.ledger.checkpoint`, served by the API and written as an
 * export's last line), hashes are hex, the signature and the public key base64.
 */
export interface Checkpoint {
  /** 1, 2, 3, … in the order they were signed. */
  readonly seq: number;
  /** How many events the ledger holds up to and including the last covered one. */
  readonly events: string;
  /** Global position of the last covered event (a string: it can pass 2^53). */
  readonly position: string;
  /** Transaction id (xid8) of the last covered event: with `position`, the cursor in ledger order. */
  readonly transaction_id: string;
  /** The ledger head after the last covered event (hex). */
  readonly head: string;
  /** The head the previous checkpoint signed (hex; 64 zeros for the first). */
  readonly previous_head: string;
  /** ISO-8601, milliseconds. */
  readonly signed_at: string;
  /** Base64 of the 32-byte Ed25519 public key that signed it. */
  readonly public_key: string;
  /** Base64 of the 64-byte Ed25519 signature over {@link checkpointStatement}. */
  readonly signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature' | 'public_key'>;

/**
 * The exact bytes signed: one `name: value` line per field, in this order, UTF-8, each line ending
 * in `\n`, after the first line `hookledger-checkpoint-v1`. Any verifier can rebuild it from the
 * JSON without a canonical-JSON library.
 */
export function checkpointStatement(checkpoint: UnsignedCheckpoint): Buffer {
  const lines = [
    'hookledger-checkpoint-v1',
    `seq: ${checkpoint.seq}`,
    `events: ${checkpoint.events}`,
    `position: ${checkpoint.position}`,
    `transaction_id: ${checkpoint.transaction_id}`,
    `head: ${checkpoint.head}`,
    `previous_head: ${checkpoint.previous_head}`,
    `signed_at: ${checkpoint.signed_at}`,
  ];
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** An Ed25519 key pair from the 32-byte seed in HOOKS_LEDGER_SIGNING_KEY. */
export class LedgerSigningKey {
  readonly publicKey: Buffer;
  private readonly privateKey: KeyObject;

  constructor(seed: Buffer) {
    if (seed.length !== 32) throw new Error('the ledger signing key is a 32-byte Ed25519 seed');
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = Buffer.from(createPublicKey(this.privateKey).export({ format: 'jwk' }).x ?? '', 'base64url');
  }

  /** Base64 of the raw 32-byte public key: what `GET /v1/audit/public-key` serves. */
  get publicKeyBase64(): string {
    return this.publicKey.toString('base64');
  }

  sign(checkpoint: UnsignedCheckpoint): Checkpoint {
    const signature = sign(null, checkpointStatement(checkpoint), this.privateKey);
    return { ...checkpoint, public_key: this.publicKeyBase64, signature: signature.toString('base64') };
  }
}

/** The fingerprint auditors compare keys by: the first 16 hex digits of the public key's SHA-256. */
export function publicKeyFingerprint(publicKey: Buffer): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/**
 * Whether the checkpoint's signature is by `publicKey` (base64 of 32 raw bytes) over its fields.
 * The checkpoint's own `public_key` is ignored: trust comes only from the key the caller holds.
 */
export function verifyCheckpoint(checkpoint: UnsignedCheckpoint & { readonly signature: string }, publicKey: string | Buffer): boolean {
  const raw = typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : publicKey;
  const signature = Buffer.from(checkpoint.signature, 'base64');
  if (raw.length !== 32 || signature.length !== 64) return false;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return verify(null, checkpointStatement(checkpoint), key, signature);
}

/** PKCS#8 DER wrapping of a raw Ed25519 seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

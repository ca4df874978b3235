import { generateKeyPairSync } from 'node:crypto';
import { checkpointStatement, LedgerSigningKey, verifyCheckpoint } from './checkpoint';
import { extendLedger, extendLedgerOver, GENESIS_HEAD } from './ledger-chain';

describe('the ledger chain and signed checkpoints', () => {
  const seed = Buffer.alloc(32, 9);
  const key = new LedgerSigningKey(seed);
  const unsigned = {
    seq: 3, events: '1200', position: '1234', transaction_id: '987', head: 'ab'.repeat(32), previous_head: 'cd'.repeat(32),
    signed_at: '2026-11-30T00:00:00.000Z',
  };

  it('derives the public key Node derives from the same seed', () => {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const fromJwk = new LedgerSigningKey(Buffer.from(jwk.d ?? '', 'base64url'));
    expect(fromJwk.publicKey.toString('base64url')).toBe(jwk.x);
  });

  it('signs the statement and verifies only with the same public key and unchanged fields', () => {
    const signed = key.sign(unsigned);
    expect(verifyCheckpoint(signed, key.publicKeyBase64)).toBe(true);
    expect(verifyCheckpoint({ ...signed, head: 'ac'.repeat(32) }, key.publicKeyBase64)).toBe(false);
    expect(verifyCheckpoint({ ...signed, events: '1201' }, key.publicKeyBase64)).toBe(false);
    expect(verifyCheckpoint(signed, new LedgerSigningKey(Buffer.alloc(32, 8)).publicKeyBase64)).toBe(false);
    expect(verifyCheckpoint(signed, 'not a key')).toBe(false);
  });

  it('signs a statement any verifier can rebuild line by line', () => {
    expect(checkpointStatement(unsigned).toString()).toBe(
      `hookledger-checkpoint-v1\nseq: 3\nevents: 1200\nposition: 1234\ntransaction_id: 987\nhead: ${'ab'.repeat(32)}\nprevious_head: ${'cd'.repeat(32)}\nsigned_at: 2026-11-30T00:00:00.000Z\n`,
    );
  });

  it('extends the chain by position and event hash, so order, position and content all count', () => {
    const a = { position: 1n, hash: Buffer.alloc(32, 1) };
    const b = { position: 2n, hash: Buffer.alloc(32, 2) };
    const head = extendLedgerOver(GENESIS_HEAD, [a, b]);
    expect(head).toEqual(extendLedger(extendLedger(GENESIS_HEAD, 1n, a.hash), 2n, b.hash));
    expect(extendLedgerOver(GENESIS_HEAD, [b, a])).not.toEqual(head);
    expect(extendLedgerOver(GENESIS_HEAD, [a, { ...b, position: 3n }])).not.toEqual(head);
    expect(extendLedgerOver(GENESIS_HEAD, [a])).not.toEqual(head);
  });
});

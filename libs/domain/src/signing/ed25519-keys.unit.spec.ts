import { createPublicKey, verify } from 'node:crypto';
import { generateSigningKeyPair, parsePublicKey, publicKeyOf, signEd25519, verifyEd25519 } from './ed25519-keys';

// RFC 8032, section 7.1, test 1: the empty message.
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_SIGNATURE = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const rfcSecretKey = `whsk_${Buffer.from(RFC_SEED + RFC_PUBLIC, 'hex').toString('base64')}`;
const rfcPublicKey = `whpk_${Buffer.from(RFC_PUBLIC, 'hex').toString('base64')}`;

describe('Ed25519 webhook keys', () => {
  it('signs the RFC 8032 test vector', () => {
    expect(Buffer.from(signEd25519(rfcSecretKey, ''), 'base64').toString('hex')).toBe(RFC_SIGNATURE);
    expect(publicKeyOf(rfcSecretKey)).toBe(rfcPublicKey);
    expect(verifyEd25519(rfcPublicKey, '', Buffer.from(RFC_SIGNATURE, 'hex').toString('base64'))).toBe(true);
  });

  it('generates whsk_ (64 bytes) and whpk_ (32 bytes) keys whose signatures node:crypto verifies with the raw public key', () => {
    const keys = generateSigningKeyPair();
    expect(keys.secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    expect(keys.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKeyOf(keys.secretKey)).toBe(keys.publicKey);
    const raw = Buffer.from(keys.publicKey.slice(5), 'base64');
    const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    const signature = signEd25519(keys.secretKey, 'msg_1.1700000000.{}');
    expect(verify(null, Buffer.from('msg_1.1700000000.{}'), spki, Buffer.from(signature, 'base64'))).toBe(true);
    expect(generateSigningKeyPair().publicKey).not.toBe(keys.publicKey);
  });

  it('refuses a signature of other content, by another key, or of the wrong length', () => {
    const keys = generateSigningKeyPair();
    const signature = signEd25519(keys.secretKey, 'a');
    expect(verifyEd25519(keys.publicKey, 'b', signature)).toBe(false);
    expect(verifyEd25519(generateSigningKeyPair().publicKey, 'a', signature)).toBe(false);
    expect(verifyEd25519(keys.publicKey, 'a', signature.slice(0, 40))).toBe(false);
  });

  it('refuses keys that are not whpk_ + base64 of 32 bytes', () => {
    expect(() => parsePublicKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whpk_/);
    expect(() => parsePublicKey('whpk_AAAA')).toThrow(/32 bytes/);
    expect(() => parsePublicKey(rfcPublicKey.replace('=', '*'))).toThrow();
    expect(() => publicKeyOf(rfcPublicKey)).toThrow(/whsk_/);
  });
});

import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './hookledger-config';

describe('encryption keys in the configuration', () => {
  const current = randomBytes(32);
  const previousHex = randomBytes(32);
  const previousBase64 = randomBytes(32);

  it('reads the current key and comma-separated previous keys, hex or base64', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOOKS_LEDGER_SIGNING_KEY: Buffer.alloc(32, 3).toString('base64'),
      HOOKS_ENCRYPTION_KEY: current.toString('hex'),
      HOOKS_ENCRYPTION_KEY_PREVIOUS: ` ${previousHex.toString('hex')} , ${previousBase64.toString('base64')}`,
    });
    expect(config.encryptionKey.equals(current)).toBe(true);
    expect(config.previousEncryptionKeys.map((key) => key.toString('hex'))).toEqual([previousHex.toString('hex'), previousBase64.toString('hex')]);
  });

  it('has no previous keys unless given', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).previousEncryptionKeys).toEqual([]);
  });

  it('stops at start with a message naming HOOKS_ENCRYPTION_KEY_PREVIOUS when a previous key is malformed', () => {
    const load = () => loadConfig({ NODE_ENV: 'test', HOOKS_ENCRYPTION_KEY_PREVIOUS: `${previousHex.toString('hex')},not-a-key` });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/HOOKS_ENCRYPTION_KEY_PREVIOUS must be comma-separated keys of 32 bytes/);
    expect(load).not.toThrow(previousHex.toString('hex'));
  });
});

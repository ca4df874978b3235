import { loadConfig } from './hookledger-config';
import { unsafeSettings } from './unsafe-settings';

describe('unsafeSettings', () => {
  const KEY = '11'.repeat(32);
  const SIGNING = Buffer.alloc(32, 7).toString('base64');

  it('names each development default in effect: private networks, plain HTTP and the development key', () => {
    const unsafe = unsafeSettings(loadConfig({ NODE_ENV: 'development' }));
    expect(unsafe).toEqual([
      expect.stringMatching(/^HOOKS_ALLOW_PRIVATE_NETWORKS=true: .*private/),
      expect.stringMatching(/^HOOKS_ALLOW_HTTP=true: .*http:\/\//),
      expect.stringMatching(/^HOOKS_ENCRYPTION_KEY: .*public development key/),
      expect.stringMatching(/^HOOKS_LEDGER_SIGNING_KEY: .*public development key/),
    ]);
  });

  it('names none for a production configuration', () => {
    expect(unsafeSettings(loadConfig({ NODE_ENV: 'production', HOOKS_ENCRYPTION_KEY: KEY, HOOKS_LEDGER_SIGNING_KEY: SIGNING }))).toEqual([]);
    expect(unsafeSettings(loadConfig({ HOOKS_ENCRYPTION_KEY: KEY, HOOKS_LEDGER_SIGNING_KEY: SIGNING }))).toEqual([]);
  });

  it('names only what is in effect: development with its own key and without private networks', () => {
    const config = loadConfig({ NODE_ENV: 'development', HOOKS_ENCRYPTION_KEY: KEY, HOOKS_LEDGER_SIGNING_KEY: SIGNING, HOOKS_ALLOW_PRIVATE_NETWORKS: 'false' });
    expect(unsafeSettings(config)).toEqual([expect.stringMatching(/^HOOKS_ALLOW_HTTP=true/)]);
  });

  it('names an unsafe setting turned on in production, and the development key given explicitly', () => {
    const developmentKey = Buffer.from('hookledger-development-key-00000').toString('hex');
    const config = loadConfig({ NODE_ENV: 'production', HOOKS_ENCRYPTION_KEY: developmentKey, HOOKS_LEDGER_SIGNING_KEY: SIGNING, HOOKS_ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(unsafeSettings(config)).toEqual([expect.stringMatching(/^HOOKS_ALLOW_PRIVATE_NETWORKS=true/), expect.stringMatching(/development key/)]);
  });

  it('names the development key in test, where it is the default too', () => {
    expect(unsafeSettings(loadConfig({ NODE_ENV: 'test', HOOKS_LEDGER_SIGNING_KEY: SIGNING }))).toEqual([expect.stringMatching(/^HOOKS_ENCRYPTION_KEY: .*development key/)]);
  });

  it('refuses production without a ledger signing key, and names the development signing key given explicitly', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', HOOKS_ENCRYPTION_KEY: KEY })).toThrow(/HOOKS_LEDGER_SIGNING_KEY is required when NODE_ENV=production/);
    const developmentSeed = Buffer.from('hookledger-development-ledger-00').toString('base64');
    const config = loadConfig({ NODE_ENV: 'production', HOOKS_ENCRYPTION_KEY: KEY, HOOKS_LEDGER_SIGNING_KEY: developmentSeed });
    expect(unsafeSettings(config)).toEqual([expect.stringMatching(/^HOOKS_LEDGER_SIGNING_KEY: .*development key/)]);
  });

  it('refuses a shortened retention day in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', HOOKS_ENCRYPTION_KEY: KEY, HOOKS_LEDGER_SIGNING_KEY: SIGNING, HOOKS_RETENTION_DAY: '2s' }))
      .toThrow(/HOOKS_RETENTION_DAY is for tests only/);
    expect(loadConfig({ NODE_ENV: 'test', HOOKS_RETENTION_DAY: '2s' }).retention.dayMs).toBe(2000);
  });
});

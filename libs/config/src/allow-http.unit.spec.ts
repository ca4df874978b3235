import { loadConfig } from './hookledger-config';

describe('HOOKS_ALLOW_HTTP', () => {
  // Production refuses to start without an encryption key; give every environment one so only NODE_ENV differs.
  const ENCRYPTION_KEY = '00'.repeat(32);
  const load = (env: Record<string, string>) => loadConfig({ HOOKS_ENCRYPTION_KEY: ENCRYPTION_KEY, HOOKS_LEDGER_SIGNING_KEY: Buffer.alloc(32, 1).toString('base64'), ...env });

  it('is off unless NODE_ENV=development: production, test, or NODE_ENV unset (read as production)', () => {
    expect(load({ NODE_ENV: 'production' }).allowHttp).toBe(false);
    expect(load({ NODE_ENV: 'test' }).allowHttp).toBe(false);
    expect(load({})).toMatchObject({ environment: 'production', allowHttp: false });
  });

  it('is on by default in development', () => {
    expect(load({ NODE_ENV: 'development' }).allowHttp).toBe(true);
  });

  it('honours an explicit true or false in every environment', () => {
    for (const NODE_ENV of ['production', 'test', 'development']) {
      expect({ NODE_ENV, allowHttp: load({ NODE_ENV, HOOKS_ALLOW_HTTP: 'true' }).allowHttp }).toEqual({ NODE_ENV, allowHttp: true });
      expect({ NODE_ENV, allowHttp: load({ NODE_ENV, HOOKS_ALLOW_HTTP: 'false' }).allowHttp }).toEqual({ NODE_ENV, allowHttp: false });
    }
  });

  it('treats an empty value as unset', () => {
    expect(load({ NODE_ENV: 'production', HOOKS_ALLOW_HTTP: '' }).allowHttp).toBe(false);
    expect(load({ NODE_ENV: 'development', HOOKS_ALLOW_HTTP: '' }).allowHttp).toBe(true);
  });

  it('refuses at start what is not true or false, naming the variable', () => {
    expect(() => load({ NODE_ENV: 'production', HOOKS_ALLOW_HTTP: 'maybe' })).toThrow(/HOOKS_ALLOW_HTTP must be true or false/);
  });
});

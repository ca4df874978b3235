import { ConfigError, loadConfig } from './hookledger-config';

describe('HOOKS_MAX_BODY_BYTES', () => {
  const load = (value?: string) => loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { HOOKS_MAX_BODY_BYTES: value }) });

  it('is 256 KiB unless set', () => {
    expect(load().api.maxBodyBytes).toBe(262144);
    expect(load('1048576').api.maxBodyBytes).toBe(1048576);
  });

  it('refuses at start what is not a sensible number of bytes, naming the variable', () => {
    for (const value of ['1mb', '-1', '12.5', '100', '999999999']) {
      expect(() => load(value)).toThrow(ConfigError);
      expect(() => load(value)).toThrow(/HOOKS_MAX_BODY_BYTES must be/);
    }
  });
});

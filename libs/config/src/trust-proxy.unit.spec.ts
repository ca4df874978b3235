import { ConfigError, loadConfig } from './hookledger-config';

describe('HOOKS_TRUST_PROXY', () => {
  const load = (value?: string) => loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { HOOKS_TRUST_PROXY: value }) }).api.trustProxy;

  it('trusts no proxy unless set: the client is whoever connected', () => {
    expect(load()).toBe(false);
    expect(load('false')).toBe(false);
  });

  it('takes true, a number of hops, or addresses, ranges and Express range names', () => {
    expect(load('true')).toBe(true);
    expect(load('2')).toBe(2);
    expect(load('loopback, 10.0.0.0/8, fd00::1')).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
  });

  it('refuses at start what is none of those, naming the variable and the entry', () => {
    expect(() => load('loopback,proxy.internal')).toThrow(ConfigError);
    expect(() => load('loopback,proxy.internal')).toThrow(/HOOKS_TRUST_PROXY .*not proxy\.internal/);
  });
});

import { ConfigError, loadConfig } from './hookledger-config';

describe('HOOKS_SSRF_ALLOW_CIDRS', () => {
  const load = (value?: string) => loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { HOOKS_SSRF_ALLOW_CIDRS: value }) });

  it('is empty unless set', () => {
    expect(load().ssrfAllowCidrs).toEqual([]);
  });

  it('reads comma-separated IPv4 and IPv6 ranges', () => {
    expect(load(' 10.20.0.0/16, fd00:1::/64 ').ssrfAllowCidrs).toEqual(['10.20.0.0/16', 'fd00:1::/64']);
  });

  it('refuses at start what is not a CIDR range, naming the variable and the entry', () => {
    expect(() => load('10.20.0.0/16,10.0.0.1,intranet')).toThrow(ConfigError);
    expect(() => load('10.20.0.0/16,10.0.0.1,intranet')).toThrow(/HOOKS_SSRF_ALLOW_CIDRS .*not 10\.0\.0\.1, intranet/);
  });
});

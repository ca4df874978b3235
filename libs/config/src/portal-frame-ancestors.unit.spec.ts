import { ConfigError, loadConfig } from './hookledger-config';

describe('HOOKS_PORTAL_FRAME_ANCESTORS', () => {
  const load = (value?: string) =>
    loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { HOOKS_PORTAL_FRAME_ANCESTORS: value }) }).portal.frameAncestors;

  it('lets nobody frame the portal unless set', () => {
    expect(load()).toEqual([]);
    expect(load('')).toEqual([]);
    expect(load("'none'")).toEqual([]);
  });

  it('takes space-separated origins, wildcard subdomains and ports included', () => {
    expect(load('https://app.example.com  https://*.example.com http://localhost:8080')).toEqual(['https://app.example.com', 'https://*.example.com', 'http://localhost:8080']);
    expect(load("'self'")).toEqual(["'self'"]);
  });

  it('refuses at start anything that would change the policy: paths, separators, other schemes', () => {
    for (const bad of ['https://app.example.com/path', 'https://a.com;script-src *', 'javascript:alert(1)', '*', 'app.example.com']) {
      expect(() => load(bad)).toThrow(ConfigError);
      expect(() => load(bad)).toThrow(/HOOKS_PORTAL_FRAME_ANCESTORS must be space-separated origins/);
    }
  });
});

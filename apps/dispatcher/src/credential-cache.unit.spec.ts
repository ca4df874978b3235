import { CREDENTIALS_MAX_ENDPOINTS, CredentialCache } from './credential-cache';

interface Credentials {
  readonly version: number;
  readonly secret: string;
}

describe('CredentialCache', () => {
  const start = Date.parse('2024-11-24T10:00:00.000Z');
  const clock = { now: () => Date.now() };

  beforeEach(() => jest.useFakeTimers({ now: start }));
  afterEach(() => jest.useRealTimers());

  it('keeps no more endpoints than its bound, dropping the least recently used', () => {
    const cache = new CredentialCache<Credentials>({ max: 100, ttlMs: 60_000, perf: clock });
    for (let i = 0; i < 10_000; i++) {
      cache.set(`ep_${i}`, { version: 1, secret: `whsec_${i}` });
      if (i === 5_000) expect(cache.get('ep_0', 1)).toBeUndefined();
      // A credential in use stays while others come and go.
      if (i > 9_000) expect(cache.get('ep_9000', 1)).toEqual({ version: 1, secret: 'whsec_9000' });
    }
    expect(cache.size).toBe(100);
    expect(cache.get('ep_0', 1)).toBeUndefined();
    expect(cache.get('ep_9000', 1)).toBeDefined();
    expect(cache.get('ep_9999', 1)).toEqual({ version: 1, secret: 'whsec_9999' });
  });

  it('drops unsealed secrets when their time is up, even if nobody asks for them again', () => {
    const cache = new CredentialCache<Credentials>({ max: 100, ttlMs: 60_000, perf: clock });
    cache.set('ep_idle', { version: 1, secret: 'whsec_idle' });
    cache.set('ep_busy', { version: 1, secret: 'whsec_busy' });

    jest.advanceTimersByTime(59_000);
    expect(cache.get('ep_busy', 1)).toBeDefined();
    expect(cache.size).toBe(2);

    // Use does not extend the time: a busy endpoint's secrets are unsealed again too.
    jest.advanceTimersByTime(2_000);
    expect(cache.size).toBe(0);
    expect(cache.get('ep_busy', 1)).toBeUndefined();
    expect(cache.get('ep_idle', 1)).toBeUndefined();
  });

  it('answers only for the endpoint version the credentials were unsealed for, and takes the new version', () => {
    const cache = new CredentialCache<Credentials>({ max: 100, ttlMs: 60_000, perf: clock });
    cache.set('ep_a', { version: 1, secret: 'whsec_old' });
    expect(cache.get('ep_a', 2)).toBeUndefined();

    cache.set('ep_a', { version: 2, secret: 'whsec_rotated' });
    expect(cache.get('ep_a', 2)).toEqual({ version: 2, secret: 'whsec_rotated' });
    expect(cache.get('ep_a', 1)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('is bounded by default', () => {
    const cache = new CredentialCache<Credentials>({ perf: clock });
    for (let i = 0; i <= CREDENTIALS_MAX_ENDPOINTS; i++) cache.set(`ep_${i}`, { version: 1, secret: 's' });
    expect(cache.size).toBe(CREDENTIALS_MAX_ENDPOINTS);
    expect(cache.get('ep_0', 1)).toBeUndefined();
  });
});

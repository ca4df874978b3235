import { idTime, isId, newId } from './ids';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The 80 random bits of an id's ULID. */
const randomPart = (id: string): bigint =>
  [...id.slice(-16)].reduce((bits, char) => (bits << 5n) | BigInt(CROCKFORD.indexOf(char)), 0n);

describe('newId', () => {
  it('is the prefix and a ULID', () => {
    const id = newId('dlv');
    expect(id).toMatch(/^dlv_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(id, 'dlv')).toBe(true);
    expect(isId(id, 'ep')).toBe(false);
  });

  it('sorts in creation order, within a millisecond too, and ids are unique', () => {
    const ids = Array.from({ length: 5000 }, () => newId('msg'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('cannot be guessed from a neighbour made in the same millisecond: the step is 40 fresh random bits, never +1', () => {
    const ids = Array.from({ length: 5000 }, () => newId('msg'));
    const steps: bigint[] = [];
    for (let n = 1; n < ids.length; n++) {
      if (ids[n - 1].slice(0, 14) === ids[n].slice(0, 14)) steps.push(randomPart(ids[n]) - randomPart(ids[n - 1]));
    }
    expect(steps.length).toBeGreaterThan(100);
    for (const step of steps) expect(step).toBeGreaterThan(1n);
    // Fresh draws: no two steps alike, and on average about 2^39 apart.
    expect(new Set(steps.map(String)).size).toBe(steps.length);
    const mean = steps.reduce((sum, step) => sum + step, 0n) / BigInt(steps.length);
    expect(mean > 1n << 37n && mean < 1n << 41n).toBe(true);
  });

  it('carries its creation time', () => {
    const before = Date.now();
    const time = idTime(newId('att')).getTime();
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a malformed prefix', () => {
    expect(() => newId('Bad_')).toThrow(RangeError);
  });
});

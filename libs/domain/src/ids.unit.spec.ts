import { decodeTime } from 'ulidx';
import { idTime, isId, newId } from './ids';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The 80 random bits of an id's ULID. */
const randomPart = (id: string): bigint =>
  [...id.slice(-16)].reduce((bits, char) => (bits << 5n) | BigInt(CROCKFORD.indexOf(char)), 0n);
const bitsSet = (value: bigint): number => [...value.toString(2)].filter((bit) => bit === '1').length;

describe('newId', () => {
  it('is the prefix and a ULID', () => {
    const id = newId('dlv');
    expect(id).toMatch(/^dlv_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(id, 'dlv')).toBe(true);
    expect(isId(id, 'ep')).toBe(false);
  });

  it('sorts in creation order across milliseconds, and ids are unique', () => {
    const ids = Array.from({ length: 5000 }, () => newId('msg'));
    const times = ids.map((id) => decodeTime(id.slice(4)));
    expect([...ids].sort().map((id) => decodeTime(id.slice(4)))).toEqual(times);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('cannot be guessed from a neighbour made in the same millisecond: no +1, many random bits differ', () => {
    const ids = Array.from({ length: 5000 }, () => newId('msg'));
    const neighbours = ids.slice(1)
      .map((id, i) => [ids[i], id] as const)
      .filter(([a, b]) => a.slice(0, 14) === b.slice(0, 14));
    expect(neighbours.length).toBeGreaterThan(100);
    for (const [a, b] of neighbours) {
      const distance = randomPart(a) - randomPart(b);
      expect(distance === 1n || distance === -1n).toBe(false);
      // Fresh 80-bit draws differ in about 40 bits; 10 or fewer happens with odds below 1 in 10^9.
      expect(bitsSet(randomPart(a) ^ randomPart(b))).toBeGreaterThan(10);
    }
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

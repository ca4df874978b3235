import { idTime, isId, newId } from './ids';

describe('newId', () => {
  it('is the prefix and a ULID', () => {
    const id = newId('dlv');
    expect(id).toMatch(/^dlv_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(id, 'dlv')).toBe(true);
    expect(isId(id, 'ep')).toBe(false);
  });

  it('sorts in creation order, also for ids made within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId('msg'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
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

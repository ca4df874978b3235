import { decodeTime } from 'ulidx';
import { operationalEvent } from './operational-events';

describe('operationalEvent ids', () => {
  const ids = Array.from({ length: 20_000 }, () => operationalEvent('delivery.succeeded', {}).id);

  it('are ULIDs, prefixed, dated now', () => {
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(Math.abs(decodeTime(ids[0].slice(4)) - Date.now())).toBeLessThan(60_000);
  });

  it('are unique across more ids than one pool of random bytes gives', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are random within a millisecond, not a counter: every character of the random part takes all 32 values', () => {
    for (let position = 14; position < 30; position++) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(32);
    }
  });
});

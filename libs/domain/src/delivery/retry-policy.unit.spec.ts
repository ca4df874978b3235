import { clampRetryAfter, nextRetry, validateRetrySchedule } from './retry-policy';

const STANDARD = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
const now = new Date('2024-01-01T00:00:00.000Z');
const secondsUntil = (at: Date) => (at.getTime() - now.getTime()) / 1000;
const middle = () => 0.5;

describe('nextRetry', () => {
  it('follows the schedule: the wait before attempt n+1 is schedule[n-1]', () => {
    const waits = STANDARD.map((_, i) => secondsUntil(nextRetry({ attemptsMade: i + 1, schedule: STANDARD, now, random: middle })!.at));
    expect(waits).toEqual(STANDARD);
  });

  it('is exhausted once every scheduled retry was made', () => {
    expect(nextRetry({ attemptsMade: STANDARD.length + 1, schedule: STANDARD, now, random: middle })).toBeNull();
    expect(nextRetry({ attemptsMade: 1, schedule: [], now, random: middle })).toBeNull();
  });

  it('spreads retries by at most ±20 %', () => {
    expect(secondsUntil(nextRetry({ attemptsMade: 2, schedule: STANDARD, now, random: () => 0 })!.at)).toBe(240);
    expect(secondsUntil(nextRetry({ attemptsMade: 2, schedule: STANDARD, now, random: () => 0.999999 })!.at)).toBeCloseTo(360, 0);
    for (let i = 0; i < 1000; i++) {
      const wait = secondsUntil(nextRetry({ attemptsMade: 3, schedule: STANDARD, now, random: Math.random })!.at);
      expect(wait).toBeGreaterThanOrEqual(1440);
      expect(wait).toBeLessThanOrEqual(2160);
    }
  });

  it('uses the receiver’s Retry-After instead of the schedule, clamped to [1 s, 24 h]', () => {
    expect(secondsUntil(nextRetry({ attemptsMade: 1, schedule: STANDARD, now, random: () => 0, retryAfterSeconds: 120 })!.at)).toBe(120);
    expect(secondsUntil(nextRetry({ attemptsMade: 1, schedule: STANDARD, now, random: middle, retryAfterSeconds: 0 })!.at)).toBe(1);
    expect(secondsUntil(nextRetry({ attemptsMade: 1, schedule: STANDARD, now, random: middle, retryAfterSeconds: 10 ** 9 })!.at)).toBe(86400);
  });

  it('does not let Retry-After extend an exhausted schedule', () => {
    expect(nextRetry({ attemptsMade: 10, schedule: STANDARD, now, random: middle, retryAfterSeconds: 5 })).toBeNull();
  });

  it('refuses a nonsensical attempt count', () => {
    expect(() => nextRetry({ attemptsMade: 0, schedule: STANDARD, now, random: middle })).toThrow(RangeError);
  });
});

describe('clampRetryAfter', () => {
  it.each([[-5, 1], [0.2, 1], [30, 30], [86401, 86400], [Infinity, 86400], [NaN, 86400]])('%p → %p', (input, expected) => {
    expect(clampRetryAfter(input)).toBe(expected);
  });
});

describe('validateRetrySchedule', () => {
  it('accepts whole seconds up to 24 h and says which entry is wrong', () => {
    expect(validateRetrySchedule(STANDARD)).toEqual({ valid: true });
    expect(validateRetrySchedule([5, 1.5])).toEqual({ valid: false, reason: expect.stringContaining('retry_schedule[1]') });
    expect(validateRetrySchedule([90000]).valid).toBe(false);
    expect(validateRetrySchedule('5,10').valid).toBe(false);
  });
});

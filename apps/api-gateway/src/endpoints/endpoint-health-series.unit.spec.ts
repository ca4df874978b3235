import { ProblemException } from '@hookledger/observability';
import { seriesRange } from './endpoint-health-series.controller';

const now = new Date('2026-11-30T12:00:00.000Z');

describe('the range of a health series', () => {
  it('is the last 24 h in hourly buckets unless asked otherwise', () => {
    expect(seriesRange({}, now)).toEqual({ since: new Date('2026-11-29T12:00:00.000Z'), until: now, buckets: 24, bucketSeconds: 3600 });
  });

  it('rounds the bucket up to whole seconds, so the last bucket ends at until and fewer buckets may be drawn', () => {
    expect(seriesRange({ since: '2026-11-30T11:59:00Z', until: '2026-11-30T12:00:40Z', buckets: 96 }, now))
      .toEqual({ since: new Date('2026-11-30T11:59:00Z'), until: new Date('2026-11-30T12:00:40Z'), buckets: 50, bucketSeconds: 2 });
    expect(seriesRange({ since: '2026-11-30T11:00:00Z', until: '2026-11-30T12:00:00Z', buckets: 7 }, now)).toMatchObject({ buckets: 7, bucketSeconds: 515 });
  });

  it('refuses an empty or reversed range, and one over 31 days, naming the parameter', () => {
    const refusal = (query: Parameters<typeof seriesRange>[0]) => {
      try {
        seriesRange(query, now);
      } catch (error) {
        return { status: (error as ProblemException).getStatus(), errors: ((error as ProblemException).getResponse() as { errors: unknown }).errors };
      }
      return null;
    };
    expect(refusal({ since: '2026-11-30T12:00:00Z', until: '2026-11-30T12:00:00Z' })).toEqual({ status: 400, errors: [{ field: 'until', message: 'until must be at least a second after since' }] });
    expect(refusal({ since: '2026-10-01T00:00:00Z' })).toEqual({ status: 400, errors: [{ field: 'since', message: 'since..until must span at most 31 days' }] });
  });
});

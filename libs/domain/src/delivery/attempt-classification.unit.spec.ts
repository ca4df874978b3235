import { classifyResponse, DELIVERY_ERROR_CODES, parseRetryAfter } from './attempt-classification';

const now = new Date('2024-01-01T00:00:00.000Z');

describe('classifyResponse', () => {
  it.each([
    [200, 'succeeded', 'http_2xx'],
    [204, 'succeeded', 'http_2xx'],
    [301, 'retryable', 'redirect_not_followed'],
    [302, 'retryable', 'redirect_not_followed'],
    [308, 'retryable', 'redirect_not_followed'],
    [400, 'retryable', 'http_4xx'],
    [404, 'retryable', 'http_4xx'],
    [410, 'failed_permanently', 'gone'],
    [429, 'retryable', 'rate_limited'],
    [500, 'retryable', 'http_5xx'],
    [503, 'retryable', 'service_unavailable'],
    [101, 'retryable', 'invalid_status'],
    [799, 'retryable', 'invalid_status'],
  ])('HTTP %i → %s (%s)', (statusCode, outcome, reason) => {
    expect(classifyResponse({ statusCode, now })).toEqual({ outcome, reason });
  });

  it.each(DELIVERY_ERROR_CODES)('a request that failed with %s is retried under that reason', (code) => {
    expect(classifyResponse({ statusCode: null, error: { code } })).toEqual({ outcome: 'retryable', reason: code });
  });

  it('treats an answer with neither status nor error as a network error', () => {
    expect(classifyResponse({})).toEqual({ outcome: 'retryable', reason: 'network_error' });
  });

  it('honours Retry-After on 429 and 503, in seconds or as an HTTP date', () => {
    expect(classifyResponse({ statusCode: 429, retryAfter: '120', now })).toEqual({ outcome: 'retryable', reason: 'rate_limited', retryAfterSeconds: 120 });
    expect(classifyResponse({ statusCode: 503, retryAfter: 'Mon, 01 Jan 2024 00:10:00 GMT', now })).toMatchObject({ retryAfterSeconds: 600 });
  });

  it('ignores Retry-After on other statuses', () => {
    expect(classifyResponse({ statusCode: 500, retryAfter: '120', now })).toEqual({ outcome: 'retryable', reason: 'http_5xx' });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['30', 30],
    [' 30 ', 30],
    ['0', 1],
    ['999999', 86400],
    ['Mon, 01 Jan 2024 00:01:00 GMT', 60],
    ['Monday, 01-Jan-24 00:01:00 GMT', 60],
    ['Sun, 31 Dec 2023 23:00:00 GMT', 1],
    ['Fri, 05 Jan 2024 00:00:00 GMT', 86400],
  ])('%j → %p s', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });

  it.each([null, undefined, '', '1.5', '-3', 'soon', '2024-01-01T00:01:00Z'])('%j → null', (header) => {
    expect(parseRetryAfter(header, now)).toBeNull();
  });
});

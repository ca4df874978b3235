import { ChatAnswer, classifyChatAnswer } from './chat-answer';

const now = new Date('2026-01-01T00:00:00.000Z');
const answer = (statusCode: number | null, responseBody: string | null, retryAfter: string | null = null): ChatAnswer =>
  ({ statusCode, responseBody, retryAfter, error: statusCode === null ? { code: 'connection_refused', message: 'connect ECONNREFUSED' } : null, now });

describe('a chat provider\'s answer', () => {
  it('Slack: 200 ok succeeds; its plain-text errors are recorded as they are', () => {
    expect(classifyChatAnswer('slack', answer(200, 'ok'))).toEqual({ classification: { outcome: 'succeeded', reason: 'http_2xx' }, error: null });
    expect(classifyChatAnswer('slack', answer(400, 'invalid_payload'))).toEqual({ classification: { outcome: 'retryable', reason: 'http_4xx' }, error: 'HTTP 400: invalid_payload' });
    expect(classifyChatAnswer('slack', answer(404, 'no_service')).error).toBe('HTTP 404: no_service');
    expect(classifyChatAnswer('slack', answer(403, 'invalid_token')).error).toBe('HTTP 403: invalid_token');
  });

  it('Slack: a 429 comes back after its Retry-After without spending a retry', () => {
    expect(classifyChatAnswer('slack', answer(429, 'rate_limited', '30')).classification)
      .toEqual({ outcome: 'retryable', reason: 'rate_limited', retryAfterSeconds: 30, spendsRetry: false });
  });

  it('Discord: retry_after in the JSON body, rounded up to whole seconds', () => {
    const body = JSON.stringify({ message: 'You are being rate limited.', retry_after: 1.5, global: false });
    expect(classifyChatAnswer('discord', answer(429, body, '1'))).toEqual({
      classification: { outcome: 'retryable', reason: 'rate_limited', retryAfterSeconds: 2, spendsRetry: false },
      error: 'HTTP 429: You are being rate limited.',
    });
    expect(classifyChatAnswer('discord', answer(400, JSON.stringify({ message: 'Invalid Form Body', code: 50035 }))).error).toBe('HTTP 400: Invalid Form Body (code 50035)');
  });

  it('Telegram: parameters.retry_after in the JSON body', () => {
    const body = JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } });
    expect(classifyChatAnswer('telegram', answer(429, body))).toEqual({
      classification: { outcome: 'retryable', reason: 'rate_limited', retryAfterSeconds: 5, spendsRetry: false },
      error: 'Telegram 429: Too Many Requests: retry after 5',
    });
  });

  it('Telegram: 200 with ok false is a failure, a 4xx is one with its description', () => {
    expect(classifyChatAnswer('telegram', answer(200, JSON.stringify({ ok: true, result: {} }))).classification.outcome).toBe('succeeded');
    expect(classifyChatAnswer('telegram', answer(200, JSON.stringify({ ok: false, description: 'Internal' })))).toEqual({
      classification: { outcome: 'retryable', reason: 'provider_error' }, error: 'Telegram 200: Internal',
    });
    const chatNotFound = JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    expect(classifyChatAnswer('telegram', answer(400, chatNotFound))).toEqual({
      classification: { outcome: 'retryable', reason: 'http_4xx' }, error: 'Telegram 400: Bad Request: chat not found',
    });
  });

  it('no answer at all is the sender\'s error', () => {
    expect(classifyChatAnswer('discord', answer(null, null))).toEqual({ classification: { outcome: 'retryable', reason: 'connection_refused' }, error: 'connect ECONNREFUSED' });
  });
});

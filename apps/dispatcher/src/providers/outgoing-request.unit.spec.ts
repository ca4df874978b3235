import { generateSecret } from '@hookledger/domain';
import type { DispatchContext } from '../delivery-loader';
import { classifyAnswer, outgoingRequest } from './outgoing-request';

const TOKEN = '987654:secret-bot-token';
const now = new Date('2026-01-01T00:00:00.000Z');

const context = (fields: Partial<DispatchContext>): DispatchContext & { data: Record<string, unknown> } => ({
  message_id: 'msg_1', event_type: 'invoice.paid', message_timestamp: now, data: { amount: 1 }, url: 'https://receiver.example/hooks',
  headers: {}, payload_format: 'envelope', signature_profile: 'standard', type: 'webhook', provider: null, template: null,
  ...fields,
} as DispatchContext & { data: Record<string, unknown> });

describe('the request of one attempt', () => {
  it('a webhook is signed and sent to its URL', () => {
    const request = outgoingRequest(context({}), { secrets: [generateSecret()], authorization: null, botToken: null }, now, 'https://api.telegram.org');
    expect(request).toMatchObject({ url: 'https://receiver.example/hooks', recordedUrl: 'https://receiver.example/hooks' });
    expect(request.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('a Telegram message goes to the Bot API with the token, recorded without it', () => {
    const telegram = context({ type: 'telegram', url: '', provider: { chat_id: '42', bot_token_key_id: 'key_1' } });
    const request = outgoingRequest(telegram, { secrets: [], authorization: null, botToken: TOKEN }, now, 'http://127.0.0.1:9/tg');
    expect(request.url).toBe(`http://127.0.0.1:9/tg/bot${TOKEN}/sendMessage`);
    expect(request.recordedUrl).toBe('http://127.0.0.1:9/tg/bot<bot_token>/sendMessage');
    expect(request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('an error quoting the Telegram URL keeps no token', () => {
    const answer = { statusCode: null, retryAfter: null, responseBody: null, durationMs: 3, error: { code: 'network_error' as const, message: `bad URL /bot${TOKEN}/sendMessage` } };
    expect(classifyAnswer('telegram', answer, now, TOKEN)).toEqual({
      classification: { outcome: 'retryable', reason: 'network_error' }, error: 'bad URL /bot<bot_token>/sendMessage',
    });
  });

  it('a webhook\'s 429 spends its retry as it always did', () => {
    const answer = { statusCode: 429, retryAfter: '5', responseBody: 'slow down', durationMs: 3, error: null };
    expect(classifyAnswer('webhook', answer, now, null).classification).toEqual({ outcome: 'retryable', reason: 'rate_limited', retryAfterSeconds: 5 });
  });
});

import { classifyResponse } from './attempt-classification';
import type { AttemptRequest } from './attempt-request';
import { DeliveryEvent, deliveryScheduled } from './delivery-events';
import { deliveryStateFrom, evolve } from './delivery-state';
import { AttemptRecord, IllegalDeliveryStateError, decideAttemptRecorded } from './record-attempt';

const SCHEDULE = [5, 300, 1800];
const now = new Date('2024-01-01T00:00:00.000Z');
const request: AttemptRequest = {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: '[redacted]' }, body_sha256: 'ab'.repeat(32),
  signature: { header: 'webhook-signature', value: 'v1,c2ln' },
};
const scheduled = deliveryScheduled({ delivery_id: 'dlv_1', message_id: 'msg_1', endpoint_id: 'ep_1', event_type: 'invoice.paid' });

function attempt(n: number, fields: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    attempt_id: `att_${n}`,
    attempt: n,
    trigger: 'scheduled',
    url: 'https://example.com/hooks',
    started_at: now,
    duration_ms: 42,
    status_code: 500,
    error: null,
    request,
    ...fields,
  };
}

/** Given past events, when an attempt with this answer is recorded, then these events follow. */
function given(...history: DeliveryEvent[]) {
  return {
    when: (record: AttemptRecord, answer: Parameters<typeof classifyResponse>[0] = { statusCode: record.status_code }) => {
      const decide = () =>
        decideAttemptRecorded({
          state: deliveryStateFrom(history),
          attempt: record,
          classification: classifyResponse({ now, ...answer }),
          schedule: SCHEDULE,
          now,
          random: () => 0.5,
        });
      return {
        then: (expected: readonly { type: string; data?: object }[]) =>
          expect(decide()).toEqual(expected.map((e) => (e.data ? { type: e.type, schema_version: e.type === 'DeliveryAttempted' ? 3 : 1, data: expect.objectContaining(e.data) } : expect.objectContaining(e)))),
        thenThrows: (message: RegExp) => {
          expect(decide).toThrow(IllegalDeliveryStateError);
          expect(decide).toThrow(message);
        },
      };
    },
  };
}

function retried(n: number): DeliveryEvent[] {
  return [
    { type: 'DeliveryAttempted', schema_version: 2, data: { ...attempt(n), started_at: now.toISOString(), outcome: 'http_5xx', sealed_response_body: null } },
    { type: 'DeliveryRetryScheduled', schema_version: 1, data: { attempt: n, next_attempt_at: now.toISOString(), reason: 'http_5xx' } },
  ];
}

describe('recording a delivery attempt', () => {
  it('a 2xx answer: one event records the attempt with the request as sent, its endpoint, its body left for the recorder to seal, and that it delivered', () => {
    given(scheduled)
      .when(attempt(1, { status_code: 204 }))
      .then([
        {
          type: 'DeliveryAttempted',
          data: {
            endpoint_id: 'ep_1', delivered: true,
            attempt_id: 'att_1', attempt: 1, trigger: 'scheduled', url: 'https://example.com/hooks', started_at: '2024-01-01T00:00:00.000Z',
            duration_ms: 42, status_code: 204, outcome: 'http_2xx', error: null, request, sealed_response_body: null,
          },
        },
      ]);
    const [delivered] = decideAttemptRecorded({
      state: deliveryStateFrom([scheduled]), attempt: attempt(1, { status_code: 204 }), classification: classifyResponse({ now, statusCode: 204 }),
      schedule: SCHEDULE, now, random: () => 0.5,
    });
    expect(evolve(deliveryStateFrom([scheduled]), delivered)).toMatchObject({
      status: 'succeeded', attempts: 1, delivered_at: '2024-01-01T00:00:00.000Z', last_status_code: 204, next_attempt_at: null,
    });
  });

  it('a 500 on the first attempt: the next one is scheduled after the first wait', () => {
    given(scheduled)
      .when(attempt(1))
      .then([
        { type: 'DeliveryAttempted', data: { endpoint_id: 'ep_1', delivered: false, outcome: 'http_5xx', status_code: 500, sealed_response_body: null } },
        { type: 'DeliveryRetryScheduled', data: { attempt: 1, next_attempt_at: '2024-01-01T00:00:05.000Z', reason: 'http_5xx' } },
      ]);
  });

  it('a timeout: recorded with its error and retried', () => {
    given(scheduled, ...retried(1))
      .when(attempt(2, { status_code: null, error: 'no answer within 15000 ms' }), { error: { code: 'timeout' } })
      .then([
        { type: 'DeliveryAttempted', data: { outcome: 'timeout', status_code: null, error: 'no answer within 15000 ms' } },
        { type: 'DeliveryRetryScheduled', data: { attempt: 2, next_attempt_at: '2024-01-01T00:05:00.000Z', reason: 'timeout' } },
      ]);
  });

  it('a 429 with Retry-After: the retry waits as long as the receiver asked', () => {
    given(scheduled)
      .when(attempt(1, { status_code: 429 }), { statusCode: 429, retryAfter: '90' })
      .then([
        { type: 'DeliveryAttempted', data: { outcome: 'rate_limited' } },
        { type: 'DeliveryRetryScheduled', data: { next_attempt_at: '2024-01-01T00:01:30.000Z', reason: 'rate_limited' } },
      ]);
  });

  it('the last scheduled attempt fails: the delivery fails as exhausted', () => {
    given(scheduled, ...retried(1), ...retried(2), ...retried(3))
      .when(attempt(4))
      .then([{ type: 'DeliveryAttempted' }, { type: 'DeliveryFailed', data: { attempts: 4, reason: 'exhausted' } }]);
  });

  it('a 410: the delivery fails at once as gone', () => {
    given(scheduled)
      .when(attempt(1, { status_code: 410 }))
      .then([{ type: 'DeliveryAttempted', data: { outcome: 'gone' } }, { type: 'DeliveryFailed', data: { attempts: 1, reason: 'gone' } }]);
  });

  it('a manual attempt on a failed delivery that fails again does not restart the schedule', () => {
    const failed: DeliveryEvent[] = [...retried(1).slice(0, 1), { type: 'DeliveryFailed', schema_version: 1, data: { attempts: 1, reason: 'gone' } }];
    given(scheduled, ...failed)
      .when(attempt(2, { trigger: 'manual', status_code: 500 }))
      .then([{ type: 'DeliveryAttempted', data: { trigger: 'manual' } }, { type: 'DeliveryFailed', data: { attempts: 2, reason: 'http_5xx' } }]);
  });

  it('a manual attempt on a failed delivery that succeeds makes it succeeded', () => {
    given(scheduled, ...retried(1).slice(0, 1), { type: 'DeliveryFailed', schema_version: 1, data: { attempts: 1, reason: 'exhausted' } })
      .when(attempt(2, { trigger: 'manual', status_code: 200 }))
      .then([{ type: 'DeliveryAttempted', data: { attempt: 2, status_code: 200, trigger: 'manual', delivered: true } }]);
  });

  it('a redelivered, stale dispatch is refused', () => {
    given(scheduled, ...retried(1)).when(attempt(1)).thenThrows(/stale/);
  });

  it('a scheduled attempt on a delivery a version 3 attempt delivered is refused', () => {
    const delivered = decideAttemptRecorded({
      state: deliveryStateFrom([scheduled]), attempt: attempt(1, { status_code: 200 }), classification: classifyResponse({ now, statusCode: 200 }),
      schedule: SCHEDULE, now, random: () => 0.5,
    });
    given(scheduled, ...delivered).when(attempt(2)).thenThrows(/already succeeded/);
  });

  it('a scheduled attempt on a succeeded delivery (version 2 attempt, then DeliverySucceeded) is refused', () => {
    given(scheduled, { type: 'DeliveryAttempted', schema_version: 2, data: { ...attempt(1), started_at: now.toISOString(), outcome: 'http_2xx', sealed_response_body: null } }, {
      type: 'DeliverySucceeded', schema_version: 1,
      data: { attempt: 1, status_code: 200 },
    })
      .when(attempt(2))
      .thenThrows(/already succeeded/);
  });

  it('an attempt on a delivery that was never scheduled is refused', () => {
    given().when(attempt(1)).thenThrows(/never scheduled/);
  });
});

describe('evolve', () => {
  it('folds a delivery’s history into its current state', () => {
    const history = [scheduled, ...retried(1)];
    expect(deliveryStateFrom(history)).toMatchObject({
      status: 'retrying', attempts: 1, delivery_id: 'dlv_1', endpoint_id: 'ep_1', last_status_code: 500, next_attempt_at: now.toISOString(),
    });
    const succeeded = [
      { type: 'DeliveryAttempted', schema_version: 2, data: { ...attempt(2, { status_code: 200 }), started_at: '2024-01-01T00:00:05.000Z', outcome: 'http_2xx', sealed_response_body: null } },
      { type: 'DeliverySucceeded', schema_version: 1, data: { attempt: 2, status_code: 200 } },
    ] as const;
    expect(succeeded.reduce(evolve, deliveryStateFrom(history))).toMatchObject({
      status: 'succeeded', attempts: 2, delivered_at: '2024-01-01T00:00:05.000Z', next_attempt_at: null, last_status_code: 200,
    });
  });

  it('ignores event types it does not know', () => {
    const state = deliveryStateFrom([scheduled]);
    expect(evolve(state, { type: 'DeliveryArchived', schema_version: 1, data: {} } as unknown as DeliveryEvent)).toBe(state);
  });
});

describe('a chat provider\'s rate limit', () => {
  const rateLimited = { outcome: 'retryable', reason: 'rate_limited', retryAfterSeconds: 7, spendsRetry: false } as const;
  const decide = (history: DeliveryEvent[], n: number, unspentAttempts: number, classification: Parameters<typeof decideAttemptRecorded>[0]['classification']) =>
    decideAttemptRecorded({ state: deliveryStateFrom(history), attempt: attempt(n, { status_code: 429 }), classification, schedule: SCHEDULE, now, random: () => 0.5, unspentAttempts });

  it('is recorded and comes back after retry_after, even past the last scheduled attempt, without spending a retry', () => {
    const [attempted, retry] = decide([scheduled, ...retried(1), ...retried(2), ...retried(3)], 4, 0, rateLimited);
    expect(attempted).toMatchObject({ type: 'DeliveryAttempted', data: { attempt: 4, status_code: 429, outcome: 'rate_limited' } });
    expect(retry).toEqual({
      type: 'DeliveryRetryScheduled', schema_version: 1,
      data: { attempt: 4, next_attempt_at: new Date(now.getTime() + 7_000).toISOString(), reason: 'rate_limited', spent: false },
    });
  });

  it('leaves the schedule where it was: the failure after it waits as if the rate limit never answered', () => {
    // Attempts 1 and 2 were rate limited; attempt 3 is the first real failure, so it takes the first wait (5 s ± jitter 0).
    const [, retry] = decide([scheduled, ...retried(1), ...retried(2)], 3, 2, classifyResponse({ statusCode: 500 }));
    expect(retry).toMatchObject({ type: 'DeliveryRetryScheduled', data: { next_attempt_at: new Date(now.getTime() + 5_000).toISOString(), reason: 'http_5xx' } });
    expect((retry?.data as object)).not.toHaveProperty('spent');
  });

  it('counts like any failure once MAX_UNSPENT_ATTEMPTS rate limits were free, so it cannot hold a delivery forever', () => {
    const history = [scheduled, ...Array.from({ length: 23 }, (_, n) => retried(n + 1)).flat()];
    expect(decide(history, 24, 23, rateLimited)[1]).toMatchObject({ type: 'DeliveryFailed', data: { reason: 'exhausted' } });
  });
});

import { DomainRuleError, foldEvents } from '../domain-event';
import { classifyResponse } from './attempt-classification';
import type { DeliveryCommand } from './delivery-commands';
import { deliveryDecider } from './delivery-decider';
import { DeliveryEvent, deliveryFailed, deliveryRequeued, deliveryScheduled } from './delivery-events';
import { dueAtAfter } from './delivery-work-queue';

const now = new Date('2024-01-01T00:00:00.000Z');
const delivery = { delivery_id: 'dlv_1', message_id: 'msg_1', endpoint_id: 'ep_1', event_type: 'invoice.paid', tenant_id: 'acme' };
const scheduled = deliveryScheduled(delivery);
const attempted = (n: number, status_code: number, trigger: 'scheduled' | 'manual' = 'scheduled'): DeliveryEvent => ({
  type: 'DeliveryAttempted', schema_version: 2,
  data: {
    attempt_id: `att_${n}`, attempt: n, trigger, url: 'https://example.com/hooks', started_at: now.toISOString(), duration_ms: 10,
    status_code, outcome: status_code < 300 ? 'http_2xx' : 'http_5xx', error: null, request: { method: 'POST', headers: {}, body_sha256: '00'.repeat(32), signature: null }, sealed_response_body: null,
  },
});
/** As attempts were recorded before issue 13: no request, the body in plain text. */
const attemptedV1 = (n: number, status_code: number): DeliveryEvent => ({
  type: 'DeliveryAttempted', schema_version: 1,
  data: {
    attempt_id: `att_${n}`, attempt: n, trigger: 'scheduled', url: 'https://example.com/hooks', started_at: now.toISOString(), duration_ms: 10,
    status_code, outcome: status_code < 300 ? 'http_2xx' : 'http_5xx', error: null, response_body: 'busy',
  },
});
/** As attempts are recorded since issue 16: the endpoint named, a delivered one ends the delivery by itself. */
const attemptedV3 = (n: number, status_code: number, trigger: 'scheduled' | 'manual' = 'scheduled'): DeliveryEvent => {
  const v2 = attempted(n, status_code, trigger);
  return { type: 'DeliveryAttempted', schema_version: 3, data: { ...(v2.data as Extract<DeliveryEvent, { schema_version: 2 }>['data']), endpoint_id: 'ep_1', delivered: status_code < 300 } };
};
const succeeded: DeliveryEvent = { type: 'DeliverySucceeded', schema_version: 1, data: { attempt: 1, status_code: 200 } };

function recordAttempt(n: number, status_code: number, trigger: 'scheduled' | 'manual' = 'scheduled'): DeliveryCommand {
  return {
    type: 'RecordDeliveryAttempt',
    data: {
      attempt: { attempt_id: `att_${n}`, attempt: n, trigger, url: 'https://example.com/hooks', started_at: now, duration_ms: 10, status_code, error: null, request: { method: 'POST', headers: {}, body_sha256: '00'.repeat(32), signature: null } },
      classification: classifyResponse({ statusCode: status_code, now }),
      schedule: [5, 300],
      now,
      jitter: 0.5,
    },
  };
}

/** Given a delivery's past events, when a command is decided, then these events follow (or it is refused). */
function given(...history: DeliveryEvent[]) {
  return {
    when: (command: DeliveryCommand) => {
      const decide = () => deliveryDecider.decide(command, foldEvents(deliveryDecider, history));
      return {
        then: (expected: readonly DeliveryEvent[]) => expect(decide()).toEqual(expected),
        thenRefuses: (kind: DomainRuleError['kind'], message: RegExp) => {
          expect(decide).toThrow(expect.objectContaining({ name: 'DomainRuleError', kind, message: expect.stringMatching(message) }));
        },
      };
    },
  };
}

describe('scheduling a delivery', () => {
  it('a new delivery is scheduled', () => {
    given().when({ type: 'ScheduleDelivery', data: delivery }).then([scheduled]);
  });

  it('a delivery scheduled twice: refused as a conflict', () => {
    given(scheduled).when({ type: 'ScheduleDelivery', data: delivery }).thenRefuses('conflict', /already scheduled/);
  });
});

describe('recording an attempt (the rules of record-attempt, through the decider)', () => {
  it('a 2xx: one delivered attempt (version 3) — the happy path adds no other event', () => {
    given(scheduled).when(recordAttempt(1, 200)).then([attemptedV3(1, 200)]);
  });

  it('a 500: the retry waits the scheduled time with the jitter the command carries', () => {
    given(scheduled).when(recordAttempt(1, 500)).then([
      attemptedV3(1, 500),
      { type: 'DeliveryRetryScheduled', schema_version: 1, data: { attempt: 1, next_attempt_at: '2024-01-01T00:00:05.000Z', reason: 'http_5xx' } },
    ]);
  });

  it('a version 1 attempt in the history counts like any other: the next attempt is the second', () => {
    given(scheduled, attemptedV1(1, 500)).when(recordAttempt(2, 200)).then([attemptedV3(2, 200)]);
  });

  it('a redelivered command for an attempt a version 3 attempt already delivered: a conflict', () => {
    given(scheduled, attemptedV3(1, 200)).when(recordAttempt(1, 200)).thenRefuses('conflict', /stale/);
    given(scheduled, attemptedV3(1, 200)).when(recordAttempt(2, 200)).thenRefuses('conflict', /already succeeded/);
  });

  it('a redelivered command for an attempt already made: a conflict', () => {
    given(scheduled, attempted(1, 200), succeeded).when(recordAttempt(1, 200)).thenRefuses('conflict', /stale/);
  });

  it('an attempt on a delivery never scheduled: not found', () => {
    given().when(recordAttempt(1, 200)).thenRefuses('not_found', /never scheduled/);
  });
});

describe('holding an attempt back', () => {
  const defer = (trigger: 'scheduled' | 'manual' = 'scheduled'): DeliveryCommand => ({ type: 'DeferDeliveryAttempt', data: { attempt: 2, trigger, reason: 'circuit_open' } });

  it('an open circuit: deferred without spending the attempt', () => {
    given(scheduled, attempted(1, 500)).when(defer()).then([{ type: 'DeliveryDeferred', schema_version: 1, data: { attempt: 2, reason: 'circuit_open' } }]);
  });

  it('a manual attempt on a finished delivery is not held (nothing would release it)', () => {
    given(scheduled, attempted(1, 200), succeeded).when(defer('manual')).then([]);
  });

  it('a scheduled attempt on a finished delivery: a conflict', () => {
    given(scheduled, attempted(1, 200), succeeded).when(defer()).thenRefuses('conflict', /already succeeded/);
  });
});

describe('ending a delivery whose endpoint is gone', () => {
  const gone = (trigger: 'scheduled' | 'manual' = 'scheduled'): DeliveryCommand => ({ type: 'EndDeliveryForGoneEndpoint', data: { attempt: 2, trigger, reason: 'endpoint_deleted' } });

  it('a retrying delivery of a deleted endpoint fails without an attempt', () => {
    given(scheduled, attempted(1, 500)).when(gone()).then([deliveryFailed({ attempts: 1, reason: 'endpoint_deleted' })]);
  });

  it('a late manual command leaves a succeeded delivery succeeded', () => {
    given(scheduled, attempted(1, 200), succeeded).when(gone('manual')).then([]);
  });
});

describe('ending a delivery whose payload was purged', () => {
  const purged = (trigger: 'scheduled' | 'manual' = 'scheduled', attempt = 2): DeliveryCommand => ({ type: 'EndDeliveryForPurgedPayload', data: { attempt, trigger } });

  it('a pending or retrying delivery fails as payload_purged without an attempt, instead of retrying forever', () => {
    given(scheduled).when(purged('scheduled', 1)).then([deliveryFailed({ attempts: 0, reason: 'payload_purged' })]);
    given(scheduled, attempted(1, 500)).when(purged()).then([deliveryFailed({ attempts: 1, reason: 'payload_purged' })]);
  });

  it('a late manual command leaves a succeeded delivery succeeded', () => {
    given(scheduled, attempted(1, 200), succeeded).when(purged('manual')).then([]);
  });
});

describe('requeueing a delivery (manual retry, replay)', () => {
  it('a manual retry of a failed delivery asks for the next attempt', () => {
    given(scheduled, attempted(1, 410), deliveryFailed({ attempts: 1, reason: 'gone' }))
      .when({ type: 'RequeueDelivery', data: { replay_id: null } })
      .then([deliveryRequeued({ attempt: 2, replay_id: null })]);
  });

  it('a replay names itself', () => {
    given(scheduled).when({ type: 'RequeueDelivery', data: { replay_id: 'rpl_1' } }).then([deliveryRequeued({ attempt: 1, replay_id: 'rpl_1' })]);
  });

  it('a delivery never scheduled: not found', () => {
    given().when({ type: 'RequeueDelivery', data: { replay_id: null } }).thenRefuses('not_found', /never scheduled/);
  });

  it('a requeue changes no state: the manual attempt it leads to does', () => {
    const before = foldEvents(deliveryDecider, [scheduled, attempted(1, 500)]);
    expect(deliveryDecider.evolve(before, deliveryRequeued({ attempt: 2, replay_id: null }))).toBe(before);
  });
});

describe('evolve', () => {
  it('folds every event type the store holds: held, failed, requeued, then manually delivered', () => {
    const history: DeliveryEvent[] = [
      scheduled,
      { type: 'DeliveryDeferred', schema_version: 1, data: { attempt: 1, reason: 'endpoint_paused' } },
      attempted(1, 500),
      { type: 'DeliveryRetryScheduled', schema_version: 1, data: { attempt: 1, next_attempt_at: '2024-01-01T00:00:05.000Z', reason: 'http_5xx' } },
      deliveryFailed({ attempts: 1, reason: 'endpoint_disabled' }),
      deliveryRequeued({ attempt: 2, replay_id: 'rpl_1' }),
      attempted(2, 200, 'manual'),
      { type: 'DeliverySucceeded', schema_version: 1, data: { attempt: 2, status_code: 200 } },
    ];
    expect(foldEvents(deliveryDecider, history)).toMatchObject({
      status: 'succeeded', attempts: 2, last_status_code: 200, delivered_at: now.toISOString(), next_attempt_at: null, failure_reason: null,
    });
    // Since issue 16 the manual attempt that delivers says so itself: the same state without a DeliverySucceeded.
    const v3 = [...history.slice(0, -2), attemptedV3(2, 200, 'manual')];
    expect(foldEvents(deliveryDecider, v3)).toEqual(foldEvents(deliveryDecider, history));
  });
});

describe('the retry work queue (deliveries.due_at)', () => {
  const row = { due_at: '2024-01-01T00:10:00.000Z', created_at: '2023-12-31T00:00:00.000Z' };

  it('a scheduled retry is due at its time; a held delivery at its creation; an attempt clears it', () => {
    expect(dueAtAfter({ type: 'DeliveryRetryScheduled', schema_version: 1, data: { attempt: 1, next_attempt_at: '2024-01-02T00:00:00.000Z', reason: 'timeout' } }, row))
      .toBe('2024-01-02T00:00:00.000Z');
    expect(dueAtAfter({ type: 'DeliveryDeferred', schema_version: 1, data: { attempt: 2, reason: 'endpoint_paused' } }, row)).toBe(row.created_at);
    expect(dueAtAfter(attempted(2, 500), row)).toBeNull();
    expect(dueAtAfter(attemptedV3(2, 200), row)).toBeNull();
    expect(dueAtAfter(scheduled, row)).toBeNull();
  });

  it('a requeue leaves a scheduled retry due', () => {
    expect(dueAtAfter(deliveryRequeued({ attempt: 2, replay_id: null }), row)).toBe(row.due_at);
  });
});

import {
  isReservedEventType, operationalEventType, OPERATIONAL_EVENT_TYPES, validateCustomerEventType, validateOperationalSubscription,
} from './operational-event-types';

describe('the reserved hookledger. prefix', () => {
  it.each(['hookledger.endpoint.disabled', 'hookledger.anything', 'HookLedger.endpoint.disabled', 'hookledger'])('reserves %s', (type) => {
    expect(isReservedEventType(type)).toBe(true);
    const result = validateCustomerEventType(type);
    expect(!result.valid && result.reason).toContain('reserved');
  });

  it.each(['invoice.paid', 'hookledgers.x', 'my.hookledger.x', 'hook.ledger'])('leaves %s to customers', (type) => {
    expect(isReservedEventType(type)).toBe(false);
    expect(validateCustomerEventType(type)).toEqual({ valid: true });
  });
});

describe('operationalEventType', () => {
  it('names the webhook type of each subscribable operational event, and nothing for the others', () => {
    expect(operationalEventType('endpoint.disabled')).toBe('hookledger.endpoint.disabled');
    expect(operationalEventType('delivery.exhausted')).toBe('hookledger.delivery.exhausted');
    expect(operationalEventType('ledger.checkpoint')).toBeNull();
    expect(operationalEventType('tenant.erased')).toBeNull();
  });
});

describe('validateOperationalSubscription', () => {
  it.each(['invoice.paid', '*', 'hookledger.*', 'hookledger.delivery.*', 'hookledger.endpoint.*', ...OPERATIONAL_EVENT_TYPES])('accepts %s', (pattern) => {
    expect(validateOperationalSubscription(pattern)).toEqual({ valid: true });
  });

  it.each(['hookledger.endpoint.disable', 'hookledger.ledger.checkpoint', 'hookledger.tenant.*', 'hookledger', 'HOOKLEDGER.endpoint.disabled'])(
    'refuses %s, so a typo does not subscribe to nothing',
    (pattern) => {
      const result = validateOperationalSubscription(pattern);
      expect(!result.valid && result.reason).toContain('not an operational event type');
    },
  );
});

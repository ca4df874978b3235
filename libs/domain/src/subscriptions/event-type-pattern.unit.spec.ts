import { matchesEventType, validateEventTypeName, validateEventTypePattern } from './event-type-pattern';

describe('matchesEventType', () => {
  it.each([
    [null, 'invoice.paid', true],
    [[], 'invoice.paid', true],
    [['*'], 'anything.at.all', true],
    [['invoice.paid'], 'invoice.paid', true],
    [['invoice.paid'], 'invoice.paid.late', false],
    [['invoice.*'], 'invoice.paid', true],
    [['invoice.*'], 'invoice.line.added', true],
    [['invoice.*'], 'invoice', false],
    [['invoice.*'], 'invoices.paid', false],
    [['invoice.line.*'], 'invoice.paid', false],
    [['user.created', 'invoice.*'], 'invoice.voided', true],
    [null, 'hookledger.endpoint.disabled', false],
    [['*'], 'hookledger.endpoint.disabled', false],
    [['hookledger.*'], 'hookledger.endpoint.disabled', true],
    [['*', 'hookledger.endpoint.disabled'], 'hookledger.endpoint.disabled', true],
    [['hookledger.delivery.*'], 'hookledger.endpoint.disabled', false],
  ] as const)('%j receives %s: %s', (patterns, type, expected) => {
    expect(matchesEventType(patterns, type)).toBe(expected);
  });
});

describe('validateEventTypePattern', () => {
  it.each(['*', 'invoice.paid', 'invoice.*', 'invoice.line.*', 'user_created', 'a-b.c_d.*'])('accepts %s', (pattern) => {
    expect(validateEventTypePattern(pattern)).toEqual({ valid: true });
  });

  it.each(['', 'invoice.', '.paid', 'invoice..paid', 'invoice*', '*.paid', 'invoice.*.paid', 'in voice', 'a'.repeat(129)])(
    'refuses %j with a reason',
    (pattern) => {
      const result = validateEventTypePattern(pattern);
      expect(result.valid).toBe(false);
      expect(!result.valid && result.reason).toEqual(expect.any(String));
    },
  );
});

describe('validateEventTypeName', () => {
  it('accepts a dotted name up to 128 characters', () => {
    expect(validateEventTypeName('invoice.paid').valid).toBe(true);
    expect(validateEventTypeName('a'.repeat(128)).valid).toBe(true);
  });

  it('refuses wildcards, bad segments and long names', () => {
    expect(validateEventTypeName('invoice.*')).toEqual({ valid: false, reason: expect.stringContaining('wildcard') });
    expect(validateEventTypeName('*').valid).toBe(false);
    expect(validateEventTypeName('invoice..paid').valid).toBe(false);
    expect(validateEventTypeName('a'.repeat(129))).toEqual({ valid: false, reason: expect.stringContaining('128') });
  });
});

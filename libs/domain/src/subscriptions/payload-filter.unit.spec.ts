import { compilePayloadFilter, PAYLOAD_FILTER_LIMITS, validatePayloadFilter } from './payload-filter';

const order = {
  amount: 1500,
  currency: 'usd',
  paid: true,
  note: null,
  created_at: '2024-11-20T10:00:00Z',
  customer: { country: 'de', tier: 'gold', address: { city: 'Berlin' } },
  tags: ['vip', 'b2b'],
  items: [{ sku: 'A-1', qty: 2 }],
};

const matches = (filter: unknown, data: unknown = order) => compilePayloadFilter(filter)(data);

describe('payload filters: matching', () => {
  it.each([
    ['a plain value is $eq', { currency: 'usd' }, true],
    ['a plain value that differs', { currency: 'eur' }, false],
    ['$eq', { amount: { $eq: 1500 } }, true],
    ['$eq is strict about types', { amount: { $eq: '1500' } }, false],
    ['$eq on null', { note: { $eq: null } }, true],
    ['$eq compares arrays by value', { tags: ['vip', 'b2b'] }, true],
    ['$eq on an array needs the same order', { tags: ['b2b', 'vip'] }, false],
    ['$eq on an array of another length', { tags: ['vip'] }, false],
    ['$neq on an array compares it whole', { tags: { $neq: ['vip', 'b2b'] } }, false],
    ['$neq', { currency: { $neq: 'eur' } }, true],
    ['$neq on the same value', { currency: { $neq: 'usd' } }, false],
    ['$gt', { amount: { $gt: 1499 } }, true],
    ['$gt at the bound', { amount: { $gt: 1500 } }, false],
    ['$gte at the bound', { amount: { $gte: 1500 } }, true],
    ['$lt', { amount: { $lt: 1500 } }, false],
    ['$lte at the bound', { amount: { $lte: 1500 } }, true],
    ['a range of two operators', { amount: { $gte: 1000, $lt: 2000 } }, true],
    ['a range the value is outside', { amount: { $gte: 1000, $lt: 1200 } }, false],
    ['$gte on ISO dates compares strings', { created_at: { $gte: '2024-11-01' } }, true],
    ['$lt on ISO dates', { created_at: { $lt: '2024-11-01' } }, false],
    ['a number is never compared with a string', { amount: { $gt: '1' } }, false],
    ['a string is never compared with a number', { currency: { $lt: 5 } }, false],
    ['$in', { currency: { $in: ['usd', 'eur'] } }, true],
    ['$in without the value', { currency: { $in: ['gbp', 'eur'] } }, false],
    ['$in is strict about types', { amount: { $in: ['1500'] } }, false],
    ['$in with an empty list matches nothing', { currency: { $in: [] } }, false],
    ['$nin', { currency: { $nin: ['gbp', 'eur'] } }, true],
    ['$nin with the value', { currency: { $nin: ['usd'] } }, false],
    ['$exists true', { paid: { $exists: true } }, true],
    ['$exists true on a null value', { note: { $exists: true } }, true],
    ['$exists false on a present field', { paid: { $exists: false } }, false],
    ['$exists false on a missing field', { refunded: { $exists: false } }, true],
    ['a dotted path', { 'customer.country': 'de' }, true],
    ['a deeper dotted path', { 'customer.address.city': { $in: ['Berlin', 'Hamburg'] } }, true],
    ['a nested object is the same as a dotted path', { customer: { country: 'de', address: { city: 'Berlin' } } }, true],
    ['a nested object that does not match', { customer: { country: 'fr' } }, false],
    ['a digit segment indexes an array', { 'items.0.sku': 'A-1' }, true],
    ['an index past the end is missing', { 'items.3.sku': { $exists: false } }, true],
    ['a path through a scalar is missing', { 'currency.code': { $exists: true } }, false],
    ['an empty filter matches every event', {}, true],
  ])('%s', (_name, filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('treats a missing field as matching only $neq, $nin and $exists: false', () => {
    expect(matches({ refunded: true })).toBe(false);
    expect(matches({ refunded: null })).toBe(false);
    expect(matches({ refunded: { $gt: 0 } })).toBe(false);
    expect(matches({ refunded: { $lte: 0 } })).toBe(false);
    expect(matches({ refunded: { $in: [null] } })).toBe(false);
    expect(matches({ refunded: { $neq: true } })).toBe(true);
    expect(matches({ refunded: { $nin: [true] } })).toBe(true);
  });

  it('requires every key, $and every filter, $or any filter', () => {
    expect(matches({ currency: 'usd', amount: { $gte: 2000 } })).toBe(false);
    expect(matches({ $and: [{ currency: 'usd' }, { amount: { $gte: 1000 } }] })).toBe(true);
    expect(matches({ $and: [{ currency: 'usd' }, { amount: { $gte: 2000 } }] })).toBe(false);
    expect(matches({ $or: [{ currency: 'eur' }, { amount: { $gte: 1000 } }] })).toBe(true);
    expect(matches({ $or: [{ currency: 'eur' }, { amount: { $gte: 2000 } }] })).toBe(false);
  });

  it('nests combinators, and a combinator inside a nested field applies below it', () => {
    const filter = {
      $or: [
        { $and: [{ 'customer.country': { $in: ['de', 'at'] } }, { amount: { $gte: 1000 } }] },
        { tags: { $eq: ['enterprise'] } },
      ],
      customer: { $or: [{ tier: 'gold' }, { tier: 'platinum' }] },
    };
    expect(matches(filter)).toBe(true);
    expect(matches(filter, { ...order, customer: { ...order.customer, tier: 'silver' } })).toBe(false);
    expect(matches(filter, { ...order, amount: 10 })).toBe(false);
  });

  it('matches nothing but $exists: false, $neq and $nin against data that is not an object', () => {
    expect(compilePayloadFilter({ amount: { $exists: true } })(undefined)).toBe(false);
    expect(compilePayloadFilter({ amount: { $exists: false } })(null)).toBe(true);
    expect(compilePayloadFilter({ 'a.b': 1 })('text')).toBe(false);
  });

  it('does not read inherited properties as fields', () => {
    expect(matches({ constructor: { $exists: true } }, {})).toBe(false);
    expect(matches({ 'customer.toString': { $exists: true } })).toBe(false);
    const published = JSON.parse('{"__proto__": {"admin": true}, "constructor": "c"}');
    expect(matches({ '__proto__.admin': true }, published)).toBe(true);
    expect(matches({ constructor: 'c' }, published)).toBe(true);
    expect(matches({ '__proto__.admin': { $exists: true } }, {})).toBe(false);
  });
});

describe('payload filters: validation', () => {
  const refused = (filter: unknown) => {
    const result = validatePayloadFilter(filter);
    if (result.valid) throw new Error(`expected ${JSON.stringify(filter)} to be refused`);
    return { field: result.field, reason: result.reason };
  };

  it('accepts every operator and combinator', () => {
    expect(validatePayloadFilter({
      a: 1, b: { $eq: [1, 'x', null, true] }, c: { $neq: null }, d: { $gt: 1, $lt: 'z' }, e: { $gte: 0, $lte: 9 },
      f: { $in: [1, 'a', null] }, g: { $nin: [] }, h: { $exists: false }, $and: [{ i: 1 }], $or: [{ j: 1 }, { k: { l: 2 } }],
    })).toEqual({ valid: true });
  });

  it.each([
    ['an array', [{ a: 1 }], 'filter', /must be an object/],
    ['null', null, 'filter', /must be an object/],
    ['a string', 'amount > 5', 'filter', /must be an object/],
    ['an unknown operator on a field', { amount: { $gte: 1, $between: [1, 2] } }, 'filter.amount.$between', /unknown operator \$between/],
    ['an unknown operator alone', { amount: { $regex: 'a.*' } }, 'filter.amount.$regex', /unknown operator \$regex/],
    ['an unknown top-level operator', { $not: { a: 1 } }, 'filter.$not', /unknown operator \$not/],
    ['a field name mixed with operators', { amount: { $gte: 1, currency: 'usd' } }, 'filter.amount.currency', /mixes the field name/],
    ['$gt with a boolean', { amount: { $gt: true } }, 'filter.amount.$gt', /number or a string/],
    ['$lte with an object', { amount: { $lte: { n: 1 } } }, 'filter.amount.$lte', /number or a string/],
    ['$in with a scalar', { currency: { $in: 'usd' } }, 'filter.currency.$in', /array/],
    ['$nin with an object', { currency: { $nin: { a: 1 } } }, 'filter.currency.$nin', /array/],
    ['$exists with a string', { paid: { $exists: 'yes' } }, 'filter.paid.$exists', /true or false/],
    ['$and with an object', { $and: { a: 1 } }, 'filter.$and', /array of 1/],
    ['$or with an empty array', { $or: [] }, 'filter.$or', /array of 1/],
    ['$or with a non-object element', { $or: [{ a: 1 }, 'b'] }, 'filter.$or.1', /must be an object/],
    ['a deep error inside $or', { $or: [{ a: 1 }, { $and: [{ b: { $gt: [] } }] }] }, 'filter.$or.1.$and.0.b.$gt', /number or a string/],
    ['an empty condition', { amount: {} }, 'filter.amount', /empty condition/],
    ['an empty path segment', { 'customer..country': 'de' }, 'filter.customer..country', /empty segment/],
    ['a nested field error', { customer: { country: { $gt: null } } }, 'filter.customer.country.$gt', /number or a string/],
  ])('refuses %s, naming the field', (_name, filter, field, reason) => {
    const result = refused(filter);
    expect(result.field).toBe(field);
    expect(result.reason).toMatch(reason);
  });

  it.each([
    ['an object in $in', { b: { $in: [1, {}] } }, 'filter.b.$in.1'],
    ['an array in $nin', { b: { $nin: [['a']] } }, 'filter.b.$nin.0'],
    ['an object to compare with $eq', { customer: { $eq: { country: 'de' } } }, 'filter.customer.$eq'],
    ['an object to compare with $neq', { customer: { $neq: {} } }, 'filter.customer.$neq'],
    ['an object inside a list to compare', { tags: [{ a: 1 }] }, 'filter.tags.$eq.0'],
    ['a list inside a list to compare', { tags: { $eq: [[1]] } }, 'filter.tags.$eq.0'],
  ])('refuses %s as too costly to match, naming the field', (_name, filter, field) => {
    const result = validatePayloadFilter(filter);
    expect(result).toEqual({ valid: false, field, reason: expect.stringMatching(/objects are not compared whole/), refusal: 'cost' });
  });

  it('names the field it is given as the root', () => {
    expect(validatePayloadFilter({ a: { $gt: null } }, 'endpoint.filter')).toEqual({ valid: false, field: 'endpoint.filter.a.$gt', reason: expect.any(String), refusal: 'shape' });
  });

  it('bounds depth, number of conditions, list length and size', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < PAYLOAD_FILTER_LIMITS.depth; i++) deep = { $or: [deep] };
    expect(refused(deep).reason).toMatch(/deeper than 8/);

    const many = Object.fromEntries(Array.from({ length: PAYLOAD_FILTER_LIMITS.conditions + 1 }, (_, i) => [`f${i}`, i]));
    expect(refused(many)).toEqual({ field: 'filter.f100.$eq', reason: expect.stringMatching(/at most 100 conditions/) });
    const enough = Object.fromEntries(Array.from({ length: PAYLOAD_FILTER_LIMITS.conditions }, (_, i) => [`f${i}`, i]));
    expect(validatePayloadFilter(enough).valid).toBe(true);

    expect(refused({ id: { $in: Array.from({ length: 101 }, (_, i) => i) } }).reason).toMatch(/at most 100 values/);
    expect(refused({ blob: 'x'.repeat(PAYLOAD_FILTER_LIMITS.bytes) }).reason).toMatch(/16384 bytes/);
    expect(refused({ tags: Array.from({ length: 101 }, (_, i) => i) }).reason).toMatch(/at most 100 values/);
    const path = (segments: number) => Array.from({ length: segments }, () => 'a').join('.');
    expect(validatePayloadFilter({ [path(PAYLOAD_FILTER_LIMITS.pathSegments)]: 1 }).valid).toBe(true);
    expect(refused({ [path(PAYLOAD_FILTER_LIMITS.pathSegments + 1)]: 1 }).reason).toMatch(/at most 32 segments/);
    expect(refused({ a: { b: { [path(PAYLOAD_FILTER_LIMITS.pathSegments - 1)]: 1 } } }).reason).toMatch(/at most 32 segments/);
    for (const filter of [deep, many, { $or: Array.from({ length: 101 }, () => ({ a: 1 })) }]) {
      expect(validatePayloadFilter(filter)).toMatchObject({ valid: false, refusal: 'cost' });
    }
  });

  it('compilePayloadFilter throws the same reason', () => {
    expect(() => compilePayloadFilter({ amount: { $foo: 1 } })).toThrow('filter.amount.$foo: unknown operator $foo');
  });
});

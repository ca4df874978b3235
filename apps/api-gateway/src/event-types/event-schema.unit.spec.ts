import { compileEventSchema, fieldErrors, InvalidEventSchemaError } from './event-schema';

const invoice = {
  type: 'object',
  required: ['amount', 'currency'],
  additionalProperties: false,
  properties: {
    amount: { type: 'integer', minimum: 0 },
    currency: { type: 'string', enum: ['usd', 'eur'] },
    paid_at: { type: 'string', format: 'date-time' },
    lines: { type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } },
  },
};

const errorsOf = (schema: Record<string, unknown>) => {
  try {
    compileEventSchema(schema);
  } catch (error) {
    if (error instanceof InvalidEventSchemaError) return error.errors;
    throw error;
  }
  throw new Error('expected the schema to be refused');
};

describe('compileEventSchema', () => {
  it('compiles a draft-07 schema with formats, and names failing data fields as the API does', () => {
    const validate = compileEventSchema(invoice);
    expect(validate({ amount: 5, currency: 'usd', paid_at: '2024-11-20T10:00:00Z', lines: [{ sku: 'A' }] })).toBe(true);
    expect(validate({ amount: -1, paid_at: 'yesterday', lines: [{ sku: 1 }, {}], extra: true })).toBe(false);
    expect(fieldErrors(validate.errors, 'events.3.data')).toEqual(expect.arrayContaining([
      { field: 'events.3.data.amount', message: 'must be >= 0' },
      { field: 'events.3.data.currency', message: 'is required' },
      { field: 'events.3.data.extra', message: 'is not allowed (additionalProperties)' },
      { field: 'events.3.data.paid_at', message: 'must match format "date-time"' },
      { field: 'events.3.data.lines.0.sku', message: 'must be string' },
      { field: 'events.3.data.lines.1.sku', message: 'is required' },
    ]));
  });

  it('uses 2019-09 and 2020-12 when $schema says so', () => {
    const validate = compileEventSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }] });
    expect(validate(['a'])).toBe(true);
    expect(validate([1])).toBe(false);
    expect(compileEventSchema({ $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', dependentRequired: { a: ['b'] } })({ a: 1 })).toBe(false);
  });

  it('compiles two schemas with the same $id (two event types, or two versions of one)', () => {
    compileEventSchema({ $id: 'https://example.com/invoice', type: 'object' });
    expect(compileEventSchema({ $id: 'https://example.com/invoice', type: 'string' })('x')).toBe(true);
  });

  it.each([
    ['a wrong type name', { type: 'object', properties: { amount: { type: 'numbr' } } }, 'schema.properties.amount.type'],
    ['a negative minLength', { type: 'string', minLength: -1 }, 'schema.minLength'],
    ['a misspelt keyword', { type: 'integer', minimun: 0 }, 'schema'],
    ['an unknown format', { type: 'string', format: 'colour' }, 'schema'],
    ['an unresolvable $ref', { $ref: 'https://example.com/remote.json' }, 'schema'],
    ['an unsupported dialect', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }, 'schema.$schema'],
  ])('refuses %s, naming where', (_name, schema, field) => {
    const errors = errorsOf(schema);
    expect(errors[0].field).toBe(field);
    expect(errors[0].message).toEqual(expect.any(String));
  });

  it('says which keyword is unknown', () => {
    expect(errorsOf({ type: 'integer', minimun: 0 })[0].message).toMatch(/unknown keyword: "minimun"/);
  });

  it('refuses a schema over 64 KiB', () => {
    expect(errorsOf({ description: 'x'.repeat(70_000) })[0].message).toMatch(/65536 bytes/);
  });
});

import { compileEventSchema, InvalidEventSchemaError } from './event-schema';

/** Issue 11 point 7: `^([a-z0-9]+)*$` took 662 ms on 27 characters in V8's backtracking engine, on every publish. */
describe('schema patterns run in a linear-time engine', () => {
  const evil = '^([a-z0-9]+)*$';

  it('matches what the pattern means', () => {
    const validate = compileEventSchema({ type: 'object', properties: { slug: { type: 'string', pattern: evil } } });
    expect(validate({ slug: 'abc123' })).toBe(true);
    expect(validate({ slug: 'abc-123' })).toBe(false);
    expect(validate({ slug: 'é' })).toBe(false);
  });

  it.each([
    ['pattern', { type: 'object', properties: { slug: { type: 'string', pattern: evil } } }, (value: string) => ({ slug: value })],
    ['patternProperties', { type: 'object', patternProperties: { [evil]: { type: 'string' } } , additionalProperties: false }, (value: string) => ({ [value]: 'x' })],
  ])('answers at once for a value that makes a backtracking engine explode (%s)', (_keyword, schema, data) => {
    const validate = compileEventSchema(schema as Record<string, unknown>);
    for (const value of [`${'a'.repeat(27)}!`, `${'a'.repeat(10_000)}!`]) {
      const start = process.cpuUsage();
      expect(validate(data(value))).toBe(false);
      const used = process.cpuUsage(start);
      // V8 would take minutes at 40 characters, and never finish at 10,000; RE2 takes well under a millisecond.
      expect((used.user + used.system) / 1000).toBeLessThan(200);
    }
  });

  it('is RE2, not V8: lookaround and backreferences (which need backtracking) are refused when the schema is created', () => {
    for (const pattern of ['^(?=a)a$', '^(a)\\1$', '(?<!x)y']) {
      expect(() => compileEventSchema({ type: 'string', pattern })).toThrow(InvalidEventSchemaError);
    }
  });

  it('does not test patterns against the schema\'s own property names with a backtracking engine at creation', () => {
    const start = process.cpuUsage();
    compileEventSchema({ type: 'object', properties: { [`${'a'.repeat(30)}!`]: { type: 'string' } }, patternProperties: { [evil]: { type: 'string' } } });
    const used = process.cpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(1_000);
  });
});

describe('schema formats do not backtrack without bound', () => {
  const validate = compileEventSchema({
    type: 'object',
    properties: { url: { type: 'string', format: 'url' }, email: { type: 'string', format: 'email' }, id: { type: 'string', format: 'uuid' } },
  });

  it('still checks formats', () => {
    expect(validate({ url: 'https://example.com/a?b=c', email: 'a@example.com', id: '3f1c2a4e-9b7d-4c1a-8e2f-5a6b7c8d9e0f' })).toBe(true);
    expect(validate({ url: 'not a url' })).toBe(false);
    expect(validate({ email: 'no-at-sign' })).toBe(false);
    expect(validate({ id: 'xyz' })).toBe(false);
  });

  it('answers at once for a 200,000-character url that costs V8 minutes, and refuses urls past 2,083 characters', () => {
    const start = process.cpuUsage();
    expect(validate({ url: `http://${':'.repeat(200_000)}` })).toBe(false);
    expect(validate({ url: `http://${':'.repeat(2_076)}` })).toBe(false);
    const used = process.cpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(500);
    expect(validate({ url: `https://example.com/${'a'.repeat(2_100)}` })).toBe(false);
  });
});

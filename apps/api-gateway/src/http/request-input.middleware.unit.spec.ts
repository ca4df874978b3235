import { inputProblem, MAX_JSON_DEPTH } from './request-input.middleware';

describe('inputProblem', () => {
  const nested = (levels: number): unknown => (levels === 0 ? {} : { a: nested(levels - 1) });

  it('lets ordinary JSON through, however wide', () => {
    expect(inputProblem({ type: 'invoice.paid', data: { items: Array.from({ length: 1000 }, (_, i) => ({ i })) } }, 'request body')).toBeNull();
    expect(inputProblem(nested(MAX_JSON_DEPTH - 1), 'request body')).toBeNull();
    expect(inputProblem(undefined, 'request body')).toBeNull();
  });

  it('refuses nesting deeper than the limit, even far deeper than the stack allows', () => {
    expect(inputProblem(nested(MAX_JSON_DEPTH + 1), 'request body')).toBe('The request body is nested deeper than 32 levels.');
    expect(inputProblem(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 'request body')).toMatch(/deeper than 32/);
  });

  it('refuses keys that reach for a prototype, naming where', () => {
    expect(inputProblem(JSON.parse('{"data": {"a": {"__proto__": {"admin": true}}}}'), 'request body')).toBe('The request body must not contain the key "__proto__" (at data.a.__proto__).');
    expect(inputProblem({ headers: { constructor: 'x' } }, 'request body')).toMatch(/"constructor" \(at headers.constructor\)/);
    expect(inputProblem({ prototype: 1 }, 'query')).toMatch(/^The query must not contain the key "prototype"/);
  });

  it('refuses NUL characters in values and keys, which Postgres cannot store', () => {
    expect(inputProblem({ data: { note: 'a\u0000b' } }, 'request body')).toBe('The request body must not contain NUL characters (at data.note).');
    expect(inputProblem({ 'a\u0000': 1 }, 'request body')).toMatch(/NUL characters \(in a key/);
  });
});

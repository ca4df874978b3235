import { canonicalJsonb, jsonbText } from './jsonb-text';

// JS values as the domain's events may hold them, and the JSON.stringify corner cases. jsonbText
// (held to Postgres by jsonb-text.int.spec.ts) of JSON.stringify's text is what the database hashes.
const VALUES: readonly unknown[] = [
  {}, [], '', null, true, false, 0, -0, 1, -1, 0.1, 1.5, -2.25, 1e21, 1e-7, 1.5e-7, -3.4e-12, 5e-324, 1.7976931348623157e308,
  Number.MAX_SAFE_INTEGER + 2, 123456789.123456789, 1 / 3, NaN, Infinity, -Infinity,
  'plain', 'quote " backslash \\ slash / controls \b\f\n\r\t \u0001 \u001f \u007f del', 'unicode é 日本 😀 \u2028 \u2029 \ufeff',
  { b: 1, a: 2, aa: 3, 10: 4, 9: 5, a1: 6, B: 7, _: 8, '': 9 },
  { é: 1, z: 2, 日本: 3, ab: 4, '😀': 5, e: 6, ｚ: 7, '\ue000': 8, '\ud83d\ude01x': 9 },
  { nested: { deeper: { deepest: [1, [2, [3, { k: 'v' }]], {}] } }, list: [true, false, null, 1.0, 's'] },
  { skipped: undefined, fn: () => 1, kept: 1, list: [undefined, () => 1, Symbol('s')] },
  { when: new Date(Date.UTC(2026, 10, 30, 6, 0, 0, 123)), boxed: [Object(1.5), Object('s'), Object(false)] },
  { toJSON: () => ({ z: 1, a: [1e25] }) },
  [{ b: 1, a: 1 }, { a: 1, b: 1 }],
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}'),
];

describe('the canonical text the app hashes and sends', () => {
  it.each(VALUES.map((value) => [JSON.stringify(value), value]))('is jsonb::text of JSON.stringify for %s', (_, value) => {
    const text = canonicalJsonb(value);

    expect(text).toBe(jsonbText(JSON.stringify(value)));
    expect(jsonbText(text!)).toBe(text);
  });

  it('leaves undefined, functions and symbols unwritten, as JSON.stringify does', () => {
    expect(canonicalJsonb(undefined)).toBeUndefined();
    expect(canonicalJsonb(() => 1)).toBeUndefined();
  });

  it('refuses a BigInt, as JSON.stringify does', () => {
    expect(() => canonicalJsonb({ n: 1n })).toThrow(TypeError);
  });

  it('escapes a lone surrogate and NUL, which Postgres refuses as it refuses JSON.stringify\'s text for them', () => {
    expect(canonicalJsonb('a\ud800b')).toBe('"a\\ud800b"');
    expect(canonicalJsonb('\udc00')).toBe('"\\udc00"');
    expect(canonicalJsonb('\u0000')).toBe('"\\u0000"');
  });
});

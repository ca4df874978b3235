import { isLosslessNumber, parse } from 'lossless-json';

/**
 * Postgres `jsonb::text` rebuilt in JS, so an offline verifier can hash an exported event exactly
 * as `hl_event_digest` did inside the database.
 *
 * jsonb keeps a value, not its text: keys sorted (shorter first, then bytewise on UTF-8), the last
 * of duplicate keys, numbers as `numeric` (exact decimal, no exponent, scale kept: `1.50` stays
 * `1.50`, `1e3` becomes `1000`), strings with only `"`, `\` and control characters escaped.
 * Numbers are parsed losslessly: a JS double would turn `12345678901234567890` or `1.50` into
 * other text and break the hash.
 */
export function jsonbText(json: string): string {
  return render(parse(json, null, { onDuplicateKey: ({ newValue }) => newValue }));
}

/** The canonical text of a value already parsed by {@link parseLossless} (numbers as LosslessNumber). */
export function renderJsonb(value: unknown): string {
  return render(value);
}

/** JSON parsed with numbers kept as their text, and duplicate keys resolved as jsonb does (the last wins). */
export function parseLossless(json: string): unknown {
  return parse(json, null, { onDuplicateKey: ({ newValue }) => newValue });
}

function render(value: unknown): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return quote(value);
  if (isLosslessNumber(value)) return numericText(value.value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(render).join(', ')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort(compareKeys);
    if (keys.length === 0) return '{}';
    return `{${keys.map((key) => `${quote(key)}: ${render((value as Record<string, unknown>)[key])}`).join(', ')}}`;
  }
  throw new Error(`not a JSON value: ${typeof value}`);
}

/** jsonb's key order (lengthCompareJsonbString): byte length first, then the UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length - right.length || Buffer.compare(left, right);
}

/** Postgres escape_json: `"`, `\`, \b \f \n \r \t by name, other control characters as \u00xx (lowercase). */
function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) out += escaped(text, i, text.charCodeAt(i));
  return `${out}"`;
}

/** One character (not a surrogate) as escape_json writes it. */
function escaped(text: string, i: number, code: number): string {
  if (code === 0x22) return '\\"';
  if (code === 0x5c) return '\\\\';
  if (code >= 0x20) return text[i];
  if (code === 0x08) return '\\b';
  if (code === 0x0c) return '\\f';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x09) return '\\t';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * numeric_in then numeric_out: the exact decimal value with `dscale` = max(0, fraction digits −
 * exponent) digits after the point, no exponent, no leading zeros, and no sign on zero.
 */
export function numericText(number: string): string {
  const match = JSON_NUMBER.exec(number);
  if (!match) throw new Error(`not a JSON number: ${number}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  const scale = Math.max(0, fraction.length - exponent);
  const point = whole.length + exponent; // where the decimal point falls in `digits`
  const integerPart = point <= 0 ? '0' : (point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point));
  const fractionDigits = point >= digits.length ? '' : point < 0 ? '0'.repeat(-point) + digits : digits.slice(point);
  const integer = integerPart.replace(/^0+(?=\d)/, '');
  const decimals = fractionDigits.padEnd(scale, '0');
  const isZero = /^0*$/.test(digits);
  return `${sign === '-' && !isZero ? '-' : ''}${integer}${scale > 0 ? `.${decimals}` : ''}`;
}

/**
 * The text `jsonb::text` gives back for a JS value that is sent as `JSON.stringify(value)`, written
 * in one pass straight from the value: what the store hashes when the app computes an event's digest.
 * The text is itself valid JSON and a fixed point (`jsonb_in` then `jsonb_out` returns it unchanged),
 * so it is also what the app sends. It follows JSON.stringify for what is not JSON (toJSON, undefined,
 * functions and symbols dropped from objects and null in arrays, non-finite numbers as null, BigInt
 * refused), then jsonb for the rest: keys sorted as jsonb sorts them, `": "` and `", "` separators,
 * numbers as `numeric` prints them (`1e21` → `1000000000000000000000`, `1.5e-7` → `0.00000015`), strings
 * escaped as `escape_json` does. A lone surrogate is written as its `\uXXXX` escape, which Postgres
 * refuses exactly as it refuses JSON.stringify's text for it; so is `\u0000`.
 */
export function canonicalJsonb(value: unknown): string | undefined {
  return write(value, '');
}

function write(input: unknown, key: string): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      return quoteCanonical(value);
    case 'number':
      return numberText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Number) return numberText(Number(value));
      if (value instanceof String) return quoteCanonical(String(value));
      if (value instanceof Boolean) return value.valueOf() ? 'true' : 'false';
      return Array.isArray(value) ? writeArray(value) : writeObject(value as Record<string, unknown>);
    default:
      return undefined; // undefined, functions, symbols
  }
}

function writeArray(array: readonly unknown[]): string {
  if (array.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += ', ';
    out += write(array[i], String(i)) ?? 'null';
  }
  return `${out}]`;
}

function writeObject(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return '{}';
  if (keys.length > 1) keys.sort(keys.every(isAscii) ? compareAsciiKeys : compareKeys);
  let out = '';
  for (const key of keys) {
    const text = write(object[key], key);
    if (text === undefined) continue;
    out += out === '' ? '{' : ', ';
    out += `${quoteCanonical(key)}: ${text}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

const ASCII = /^[\x00-\x7f]*$/;
const isAscii = (key: string): boolean => ASCII.test(key);

/** {@link compareKeys} when every key is ASCII: one byte per UTF-16 unit, so lengths and `<` agree with the bytes. */
function compareAsciiKeys(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** JSON.stringify's number, as numeric_out prints what jsonb parsed of it. */
function numberText(number: number): string {
  if (!Number.isFinite(number)) return 'null';
  const text = String(number); // -0 prints as 0, as jsonb does
  return text.includes('e') ? numericText(text) : text;
}

// Characters escape_json escapes, and surrogates (checked for being paired).
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

function quoteCanonical(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      } else {
        out += `\\u${code.toString(16)}`;
      }
    } else out += escaped(text, i, code);
  }
  return `${out}"`;
}

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
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += '\\\\';
    else if (code >= 0x20) out += text[i];
    else if (code === 0x08) out += '\\b';
    else if (code === 0x0c) out += '\\f';
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
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

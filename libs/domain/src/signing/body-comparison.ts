/** How a body a receiver verified compares with the bodies we may have sent for that message. */
export type BodyComparison =
  | { readonly kind: 'identical' }
  /** The same JSON value written differently: whitespace, key order, escapes — a receiver that parsed and re-serialised it. */
  | { readonly kind: 'reserialised' }
  /** Other content; `at` is the first character that differs from the closest rendering. */
  | { readonly kind: 'different'; readonly at: number };

export function compareBody(received: string, sent: readonly string[]): BodyComparison {
  if (sent.includes(received)) return { kind: 'identical' };
  const value = parseJson(received);
  if (value !== undefined && sent.some((body) => canonical(parseJson(body)) === canonical(value))) return { kind: 'reserialised' };
  return { kind: 'different', at: Math.max(...sent.map((body) => commonPrefix(body, received))) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted, so values that differ only in key order compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

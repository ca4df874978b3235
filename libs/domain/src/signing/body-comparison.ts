/** How a body a receiver verified compares with the bodies we may have sent for that message. */
export type BodyComparison =
  | { readonly kind: 'identical' }
  /** The same JSON value written differently: whitespace, key order, escapes — a receiver that parsed and re-serialised it. */
  | { readonly kind: 'reserialised' }
  /**
   * Other content. Deliberately without the position of the first difference: where a guess first
   * goes wrong is an oracle that recovers the sent body a character at a time.
   */
  | { readonly kind: 'different' };

export function compareBody(received: string, sent: readonly string[]): BodyComparison {
  if (sent.includes(received)) return { kind: 'identical' };
  const value = parseJson(received);
  if (value !== undefined && sent.some((body) => canonical(parseJson(body)) === canonical(value))) return { kind: 'reserialised' };
  return { kind: 'different' };
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

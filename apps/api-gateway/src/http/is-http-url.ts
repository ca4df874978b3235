import { registerDecorator } from 'class-validator';

/**
 * Why `value` is not an absolute http(s) URL Hookledger can deliver to, or null. Parsed the way
 * the dispatcher will parse it (WHATWG URL), so every spelling of an address it would connect to
 * — `http://2130706433/`, `http://0x7f.1/` — reaches the address check with the address it means
 * instead of being refused here as malformed. Credentials in the URL are refused: they would be
 * stored and shown in plain text; `auth` seals them.
 */
export function httpUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  // The URL parser silently drops tabs and line breaks; a URL carrying them is refused, not repaired.
  if (/[\u0000-\u0020\u007f]/.test(value)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http(s) URL';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not carry credentials; use auth (stored encrypted) instead';
  return null;
}

/** Validates an http(s) URL as `httpUrlProblem` does, naming `label` (e.g. `destination.url`) in the message. */
export function IsHttpUrl(label: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isHttpUrl', target: target.constructor, propertyName,
      validator: {
        validate: (value: unknown) => httpUrlProblem(value) === null,
        defaultMessage: (args) => `${label} ${httpUrlProblem(args?.value) ?? 'is not valid'}`,
      },
    });
}

import Mustache from 'mustache';

/** Longest `template` an endpoint may hold. */
export const MAX_TEMPLATE_LENGTH = 4000;

/** The event as a template sees it: `{{id}}`, `{{type}}`, `{{timestamp}}`, `{{data.amount}}`. */
export interface ChatEvent {
  readonly id: string;
  readonly type: string;
  readonly timestamp: Date;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Why a template cannot be used, or null when it parses. */
export function templateRefusal(template: string): string | null {
  if (template.length > MAX_TEMPLATE_LENGTH) return `template is at most ${MAX_TEMPLATE_LENGTH} characters`;
  if (template.trim() === '') return 'template must not be empty; send null to use the default message';
  try {
    const tokens = Mustache.parse(template);
    if (tokens.some(([kind]) => kind === '>')) return 'template must not use partials ({{> name}})';
    return null;
  } catch (error) {
    return `template does not parse: ${(error as Error).message}`;
  }
}

/**
 * The message text from an endpoint's template. Mustache is logic-less and runs no code; every
 * event value is escaped by `escape` before the template sees it, so `{{{x}}}` and `{{& x}}` escape
 * too (the provider's markup must never come from event data). Objects reach the template without
 * a prototype, so names like `{{data.constructor}}` find nothing. A template that fails on this
 * event's data (a name that is a built-in method of a list) renders as null: the caller falls back
 * to the default message rather than losing the delivery.
 */
export function renderTemplate(template: string, event: ChatEvent, escape: (text: string) => string): string | null {
  const view = escaped({ id: event.id, type: event.type, timestamp: event.timestamp.toISOString(), data: event.data }, escape);
  try {
    return Mustache.render(template, view, {}, { escape: (value: string) => value });
  } catch {
    return null;
  }
}

function escaped(value: unknown, escape: (text: string) => string): unknown {
  if (typeof value === 'string') return escape(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => escaped(item, escape));
  if (typeof value === 'object') {
    const copy = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) copy[key] = escaped(item, escape);
    return copy;
  }
  return null;
}

/** A value as one line of a message: strings as they are, anything else as JSON. */
export const fieldText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? 'null');

/** Cut to `max` UTF-16 units (as the providers count) with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

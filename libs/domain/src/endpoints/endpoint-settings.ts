import type { PayloadFormat, SignatureProfile } from './endpoint-options';
import type { EndpointProviderOptions, EndpointType } from './endpoint-provider';

/**
 * What a client sets on an endpoint (POST and PATCH /v1/endpoints): the same names in the API, the
 * `endpoints` row and the events. `null` in `event_types`/`channels` means "all"; in
 * `retry_schedule`/`timeout_ms` it means "the deployment's default".
 */
export type EndpointSettings = {
  url: string;
  description: string;
  event_types: readonly string[] | null;
  active: boolean;
  headers: Readonly<Record<string, string>>;
  retry_schedule: readonly number[] | null;
  timeout_ms: number | null;
  rate_limit_per_s: number | null;
  channels: readonly string[] | null;
  metadata: Readonly<Record<string, string>>;
  filter: Readonly<Record<string, unknown>> | null;
  payload_format: PayloadFormat;
  signature_profile: SignatureProfile;
  /** Fixed at creation; events written before chat providers existed read as `webhook`. */
  type: EndpointType;
  /** The chat provider's options (a Telegram bot token only as the id of its sealed key); null for a webhook. */
  provider: EndpointProviderOptions | null;
  /** A Mustache template for a chat provider's message text; null renders the default message. */
  template: string | null;
};

export const ENDPOINT_SETTING_FIELDS = [
  'url', 'description', 'event_types', 'active', 'headers', 'retry_schedule', 'timeout_ms', 'rate_limit_per_s', 'channels', 'metadata',
  'filter', 'payload_format', 'signature_profile', 'type', 'provider', 'template',
] as const satisfies readonly (keyof EndpointSettings)[];

/**
 * Every setting but the URL has a default: what creation fills in when the client leaves it out,
 * and what an EndpointCreated written before the setting existed (no filter, payload_format,
 * signature_profile before the endpoint-options migration) is read as — the column defaults.
 */
export const DEFAULT_ENDPOINT_SETTINGS: Readonly<Omit<EndpointSettings, 'url'>> = Object.freeze({
  description: '',
  event_types: null,
  active: true,
  headers: {},
  retry_schedule: null,
  timeout_ms: null,
  rate_limit_per_s: null,
  channels: null,
  metadata: {},
  filter: null,
  payload_format: 'envelope',
  signature_profile: 'standard',
  type: 'webhook',
  provider: null,
  template: null,
});

/**
 * Authentication we present to the receiver, as events and rows hold it: the type, the user name,
 * and the id of the sealed password or token in the key table — never the credential itself.
 */
export type EndpointAuthReference =
  | { readonly type: 'basic'; readonly username: string; readonly key_id: string }
  | { readonly type: 'bearer'; readonly key_id: string };

/** What API answers show of an endpoint's auth: the type and user name. */
export type EndpointAuthView = { readonly type: 'basic'; readonly username: string } | { readonly type: 'bearer' };

export function authView(auth: EndpointAuthReference | null): EndpointAuthView | null {
  if (auth === null) return null;
  return auth.type === 'basic' ? { type: 'basic', username: auth.username } : { type: 'bearer' };
}

/** An empty subscription list means "everything" and is stored as null; repeats are dropped. */
export function normaliseSubscriptionList(values: readonly string[] | null | undefined): string[] | null {
  return values && values.length > 0 ? [...new Set(values)] : null;
}

/** Every setting a client gave, defaults for the rest, lists normalised. */
export function settingsWithDefaults(given: Partial<EndpointSettings> & { url: string }): EndpointSettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Partial<EndpointSettings>;
  const settings = { ...DEFAULT_ENDPOINT_SETTINGS, ...defined, url: given.url };
  return { ...settings, event_types: normaliseSubscriptionList(settings.event_types), channels: normaliseSubscriptionList(settings.channels) };
}

/** The settings found in an event's data, any others (unknown keys) left out. */
export function pickSettings(data: Readonly<Record<string, unknown>>): Partial<EndpointSettings> {
  const picked: Record<string, unknown> = {};
  for (const field of ENDPOINT_SETTING_FIELDS) if (data[field] !== undefined) picked[field] = data[field];
  return picked as Partial<EndpointSettings>;
}

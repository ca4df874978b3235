import { compilePayloadFilter, InvalidPayloadFilterError, PayloadMatcher } from './payload-filter';

/** What the index needs to know about an endpoint to route events to it. */
export interface Subscription {
  readonly id: string;
  readonly tenant_id?: string | null;
  readonly event_types?: readonly string[] | null;
  readonly channels?: readonly string[] | null;
  readonly active: boolean;
  /** A payload filter (see payload-filter.ts); null = every event. */
  readonly filter?: unknown;
}

export interface RoutedEvent {
  readonly id?: string;
  readonly type: string;
  readonly tenant_id?: string | null;
  readonly channels?: readonly string[] | null;
  readonly data?: unknown;
}

export interface FilterBudgetExhausted {
  readonly endpoint_id: string;
  readonly event_id: string | null;
  readonly steps: number;
}

interface Entry {
  readonly order: number;
  readonly id: string;
  readonly channels: ReadonlySet<string> | null;
  readonly accepts: PayloadMatcher | null;
}

class TenantSubscriptions {
  readonly exact = new Map<string, Entry[]>();
  /** `invoice.*` is stored under `invoice`. */
  readonly prefixes = new Map<string, Entry[]>();
  readonly everything: Entry[] = [];
}

/**
 * Answers "which endpoints receive this event" without scanning every endpoint: exact names are a
 * map lookup, prefixes one lookup per segment of the event type, `*` a list. Built once from the
 * endpoint list and replaced whole when an endpoint changes.
 */
export class SubscriptionIndex {
  private readonly tenants = new Map<string | null, TenantSubscriptions>();
  readonly size: number;
  /** Endpoints whose stored filter does not compile: they receive nothing until it is fixed. */
  readonly invalidFilters: { readonly id: string; readonly reason: string }[] = [];

  /**
   * `onFilterBudgetExhausted` hears of a filter match that passed its step budget (which the API's
   * limits rule out); the event still goes to that endpoint, so the report is the trace of it.
   */
  constructor(subscriptions: Iterable<Subscription>, private readonly onFilterBudgetExhausted: (report: FilterBudgetExhausted) => void = () => {}) {
    let order = 0;
    for (const subscription of subscriptions) {
      if (!subscription.active) continue;
      const entry: Entry = {
        order: order++,
        id: subscription.id,
        channels: subscription.channels && subscription.channels.length > 0 ? new Set(subscription.channels) : null,
        accepts: this.compileFilter(subscription),
      };
      const tenant = this.tenantFor(subscription.tenant_id || null);
      const patterns = subscription.event_types ?? [];
      if (patterns.length === 0 || patterns.includes('*')) {
        tenant.everything.push(entry);
        continue;
      }
      for (const pattern of new Set(patterns)) {
        if (pattern.endsWith('.*')) push(tenant.prefixes, pattern.slice(0, -2), entry);
        else push(tenant.exact, pattern, entry);
      }
    }
    this.size = order;
  }

  /** Endpoint ids that receive the event (their filters checked against its data), in the order the endpoints were given. */
  match(event: RoutedEvent): string[] {
    const tenant = this.tenants.get(event.tenant_id || null);
    if (!tenant) return [];
    const found = new Map<string, Entry>();
    const add = (entries: readonly Entry[] | undefined) => {
      for (const entry of entries ?? []) if (receivesChannels(entry, event.channels)) found.set(entry.id, entry);
    };
    add(tenant.everything);
    add(tenant.exact.get(event.type));
    for (let dot = event.type.indexOf('.'); dot !== -1; dot = event.type.indexOf('.', dot + 1)) {
      add(tenant.prefixes.get(event.type.slice(0, dot)));
    }
    return [...found.values()]
      .filter((entry) => this.accepts(entry, event))
      .sort((a, b) => a.order - b.order)
      .map((entry) => entry.id);
  }

  private accepts(entry: Entry, event: RoutedEvent): boolean {
    if (entry.accepts === null) return true;
    const { matched, steps, exhausted } = entry.accepts.measure(event.data);
    if (exhausted) this.onFilterBudgetExhausted({ endpoint_id: entry.id, event_id: event.id ?? null, steps });
    return matched;
  }

  private compileFilter(subscription: Subscription): PayloadMatcher | null {
    if (subscription.filter === null || subscription.filter === undefined) return null;
    try {
      return compilePayloadFilter(subscription.filter);
    } catch (error) {
      if (!(error instanceof InvalidPayloadFilterError)) throw error;
      // The API refuses bad filters; one written before that (or by hand) must not widen what the endpoint receives.
      this.invalidFilters.push({ id: subscription.id, reason: error.message });
      return MATCHES_NOTHING;
    }
  }

  private tenantFor(tenantId: string | null): TenantSubscriptions {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) this.tenants.set(tenantId, (tenant = new TenantSubscriptions()));
    return tenant;
  }
}

const MATCHES_NOTHING: PayloadMatcher = Object.assign(() => false, { cost: 0, measure: () => ({ matched: false, steps: 0, exhausted: false }) });

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

function receivesChannels(entry: Entry, channels: readonly string[] | null | undefined): boolean {
  const wanted = entry.channels;
  if (wanted === null) return true;
  return (channels ?? []).some((channel) => wanted.has(channel));
}

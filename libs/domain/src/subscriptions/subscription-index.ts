import { isReservedEventType } from './operational-event-types';
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
  readonly type: string;
  readonly tenant_id?: string | null;
  readonly channels?: readonly string[] | null;
  readonly data?: unknown;
  readonly id?: string;
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
  /** Subscribed to every type (null, empty or `*`): every type but the reserved `hookledger.` ones. */
  readonly everything: boolean;
  /** The names and wildcards it asked for besides `*` (with `*`, they matter for reserved types only). */
  readonly patterns: readonly string[];
  /** Why its stored filter does not compile, when it does not. */
  readonly invalidFilter: string | null;
}

/** One tenant's endpoints, looked up by event type. Never changed once built: a change builds the tenant anew. */
class TenantSubscriptions {
  readonly exact = new Map<string, Entry[]>();
  /** `invoice.*` is stored under `invoice`. */
  readonly prefixes = new Map<string, Entry[]>();
  readonly everything: Entry[] = [];

  constructor(readonly members: ReadonlyMap<string, Entry>) {
    for (const entry of members.values()) {
      if (entry.everything) this.everything.push(entry);
      for (const pattern of entry.patterns) {
        if (pattern.endsWith('.*')) push(this.prefixes, pattern.slice(0, -2), entry);
        else push(this.exact, pattern, entry);
      }
    }
  }
}

/**
 * Answers "which endpoints receive this event" without scanning every endpoint: exact names are a
 * map lookup, prefixes one lookup per segment of the event type, `*` a list. Built once from the
 * endpoint list; `withChanges` builds the next index from the endpoints that changed, rebuilding
 * only their tenants and sharing every other tenant with this one.
 */
export class SubscriptionIndex {
  private readonly tenants: ReadonlyMap<string | null, TenantSubscriptions>;
  private readonly nextOrder: number;
  readonly size: number;

  /**
   * `subscriptions` in the order matches are answered in; with `base`, they are changes to it: each
   * replaces the endpoint with its id (keeping its place), an inactive one removes it. An endpoint
   * never moves to another tenant. `onFilterBudgetExhausted` hears of a filter match that passed its
   * step budget (which the API's limits rule out); the event still goes to that endpoint, so the
   * report is the trace of it.
   */
  constructor(
    subscriptions: Iterable<Subscription>,
    private readonly onFilterBudgetExhausted: (report: FilterBudgetExhausted) => void = () => {},
    base?: SubscriptionIndex,
  ) {
    const tenants = new Map(base?.tenants ?? []);
    const touched = new Map<string | null, Map<string, Entry>>();
    let order = base?.nextOrder ?? 0;
    for (const subscription of subscriptions) {
      const tenantId = subscription.tenant_id || null;
      let members = touched.get(tenantId);
      if (!members) touched.set(tenantId, (members = new Map(tenants.get(tenantId)?.members ?? [])));
      const previous = members.get(subscription.id);
      members.delete(subscription.id);
      if (subscription.active) members.set(subscription.id, entryOf(subscription, previous?.order ?? order++));
    }
    let size = base?.size ?? 0;
    for (const [tenantId, members] of touched) {
      size += members.size - (tenants.get(tenantId)?.members.size ?? 0);
      if (members.size === 0) tenants.delete(tenantId);
      else tenants.set(tenantId, new TenantSubscriptions(new Map([...members].sort(([, a], [, b]) => a.order - b.order))));
    }
    this.tenants = tenants;
    this.nextOrder = order;
    this.size = size;
  }

  /** The next index: this one with `changed` applied (see the constructor). */
  withChanges(changed: Iterable<Subscription>): SubscriptionIndex {
    return new SubscriptionIndex(changed, this.onFilterBudgetExhausted, this);
  }

  /** Endpoints whose stored filter does not compile: they receive nothing until it is fixed. */
  get invalidFilters(): { readonly id: string; readonly reason: string }[] {
    return [...this.tenants.values()].flatMap((tenant) =>
      [...tenant.members.values()].flatMap((entry) => (entry.invalidFilter === null ? [] : [{ id: entry.id, reason: entry.invalidFilter }])),
    );
  }

  /** Endpoint ids that receive the event (their filters checked against its data), in the order the endpoints were given. */
  match(event: RoutedEvent): string[] {
    const tenant = this.tenants.get(event.tenant_id || null);
    if (!tenant) return [];
    const found = new Map<string, Entry>();
    const add = (entries: readonly Entry[] | undefined) => {
      for (const entry of entries ?? []) if (receivesChannels(entry, event.channels)) found.set(entry.id, entry);
    };
    // Operational webhooks go only to endpoints that name them (docs/operational-events.md).
    if (!isReservedEventType(event.type)) add(tenant.everything);
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
}

function entryOf(subscription: Subscription, order: number): Entry {
  const patterns = subscription.event_types ?? [];
  const { accepts, invalidFilter } = compileFilter(subscription.filter);
  return {
    order,
    id: subscription.id,
    channels: subscription.channels && subscription.channels.length > 0 ? new Set(subscription.channels) : null,
    accepts,
    everything: patterns.length === 0 || patterns.includes('*'),
    patterns: [...new Set(patterns)].filter((pattern) => pattern !== '*'),
    invalidFilter,
  };
}

function compileFilter(filter: unknown): { accepts: PayloadMatcher | null; invalidFilter: string | null } {
  if (filter === null || filter === undefined) return { accepts: null, invalidFilter: null };
  try {
    return { accepts: compilePayloadFilter(filter), invalidFilter: null };
  } catch (error) {
    if (!(error instanceof InvalidPayloadFilterError)) throw error;
    // The API refuses bad filters; one written before that (or by hand) must not widen what the endpoint receives.
    return { accepts: MATCHES_NOTHING, invalidFilter: error.message };
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

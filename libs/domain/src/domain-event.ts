/**
 * A domain event as appended to the store: plain readonly data with a past-tense type, snake_case
 * data, and the version of the data's shape. A shape that changes gets a new `schema_version`;
 * `evolve` and the projectors read every version still in the store (upcasting old ones), since
 * the store is never rewritten.
 */
export type DomainEvent<T extends string, D, V extends number = 1> = Readonly<{ type: T; schema_version: V; data: Readonly<D> }>;

/**
 * The pure rules of one aggregate, as Emmett writes them: `decide` answers the events a command
 * leads to in a state (or throws a DomainRuleError), `evolve` folds one event into the state, and
 * the state of a stream is its events folded from `initialState`. No I/O, no clock but the one in
 * the command.
 */
export interface Decider<Command, State, Event> {
  readonly initialState: State;
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
}

/** Folds a stream's events into its state. */
export function foldEvents<State, Event>(decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>, events: Iterable<Event>): State {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/**
 * Why `decide` refused a command, in terms an API can answer: `not_found` (the aggregate does not
 * exist, or no longer), `conflict` (its state does not allow it now), `invalid` (the command
 * itself breaks a rule), `forbidden` (the one asking may not ask this, whatever the state: a key
 * bound to a tenant minting a key for another tenant, or one allowed more than the operator's limit).
 */
export class DomainRuleError extends Error {
  override readonly name = 'DomainRuleError';
  constructor(readonly kind: 'not_found' | 'conflict' | 'invalid' | 'forbidden', message: string, readonly field?: string) {
    super(message);
  }
}

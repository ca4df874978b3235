import { decodeTime, monotonicFactory } from 'ulidx';

/** Prefixes in use; any short lowercase word is accepted so new resources need no change here. */
export type IdPrefix = 'ep' | 'msg' | 'dlv' | 'att' | 'evt' | 'key' | (string & {});

const PREFIX = /^[a-z]{1,12}$/;
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

// Monotonic: two ids made in the same millisecond still sort in creation order.
const ulid = monotonicFactory();

/** `<prefix>_<ULID>`: sorting ids sorts them by creation time. */
export function newId(prefix: IdPrefix): string {
  if (!PREFIX.test(prefix)) throw new RangeError(`invalid id prefix "${prefix}"`);
  return `${prefix}_${ulid()}`;
}

export function isId(value: unknown, prefix: IdPrefix): value is string {
  return typeof value === 'string' && new RegExp(`^${prefix}_${ULID}$`).test(value);
}

/** The creation time encoded in an id (millisecond precision). */
export function idTime(id: string): Date {
  const underscore = id.lastIndexOf('_');
  return new Date(decodeTime(id.slice(underscore + 1)));
}

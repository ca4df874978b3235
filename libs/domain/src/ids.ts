import { decodeTime, ulid } from 'ulidx';

/** Prefixes in use; any short lowercase word is accepted so new resources need no change here. */
export type IdPrefix = 'ep' | 'msg' | 'dlv' | 'att' | 'evt' | 'key' | (string & {});

const PREFIX = /^[a-z]{1,12}$/;
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

/**
 * `<prefix>_<ULID>`: a millisecond time prefix and 80 fresh random bits, so sorting ids sorts them
 * by creation time across milliseconds. Not monotonic on purpose: a monotonic factory makes the
 * next id in the same millisecond the previous one plus one, so anyone holding an id could guess
 * a neighbour's. Within one millisecond ids are in random order; lists page on the id alone,
 * which is still a total order.
 */
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

import { randomFillSync } from 'node:crypto';
import { decodeTime, encodeTime } from 'ulidx';

/** Prefixes in use; any short lowercase word is accepted so new resources need no change here. */
export type IdPrefix = 'ep' | 'msg' | 'dlv' | 'att' | 'evt' | 'key' | (string & {});

const PREFIX = /^[a-z]{1,12}$/;
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';
const RANDOM_BITS = 80n;
const RANDOM_LIMIT = 1n << RANDOM_BITS;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = 0;
let lastRandom = 0n;

// Cryptographic bytes drawn 4 KiB at a time rather than a call to the generator per id (two per id
// in a new millisecond): ids are made for every message, delivery and attempt on the hot path.
const pool = Buffer.alloc(4096);
let drawn = pool.length;

function randomBits(bytes: number): bigint {
  if (drawn + bytes > pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  const hex = pool.toString('hex', drawn, drawn + bytes);
  drawn += bytes;
  return BigInt(`0x${hex}`);
}

/**
 * A ULID that sorts after every one this process made before (work made in one millisecond — a
 * batch of deliveries, the held deliveries a resume sends — keeps its order), yet cannot be
 * guessed from a neighbour: within a millisecond the random part grows by 1 + 40 fresh random bits,
 * not by one as a plain monotonic factory does, so knowing an id says nothing usable about the
 * next. A new millisecond starts from 80 fresh random bits.
 */
function nextUlid(): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    lastRandom = randomBits(10);
  } else {
    lastRandom += 1n + randomBits(5);
    // Past 80 bits (about one chance in 2^30 after a million ids in one millisecond): borrow the next millisecond.
    if (lastRandom >= RANDOM_LIMIT) {
      lastTime += 1;
      lastRandom = randomBits(10);
    }
  }
  return encodeTime(lastTime, 10) + encodeRandom(lastRandom);
}

/** The 80 random bits as 16 characters of Crockford's base 32, as a ULID writes them. */
function encodeRandom(value: bigint): string {
  let text = '';
  for (let n = 0; n < 16; n++, value >>= 5n) text = CROCKFORD[Number(value & 31n)] + text;
  return text;
}

/** `<prefix>_<ULID>`: sorting ids sorts them by creation time (see nextUlid). */
export function newId(prefix: IdPrefix): string {
  if (!PREFIX.test(prefix)) throw new RangeError(`invalid id prefix "${prefix}"`);
  return `${prefix}_${nextUlid()}`;
}

export function isId(value: unknown, prefix: IdPrefix): value is string {
  return typeof value === 'string' && new RegExp(`^${prefix}_${ULID}$`).test(value);
}

/** The creation time encoded in an id (millisecond precision). */
export function idTime(id: string): Date {
  const underscore = id.lastIndexOf('_');
  return new Date(decodeTime(id.slice(underscore + 1)));
}

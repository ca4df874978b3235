/**
 * Raised instead of connecting to a non-public address; the attempt's error code is `address_blocked`.
 * The message names only the host the user gave, never what a name resolved to: attempts, test
 * answers and operational events carry it, and naming the address would let anyone who can create
 * an endpoint map the internal network one DNS name at a time.
 */
export class AddressBlockedError extends Error {
  override readonly name = 'AddressBlockedError';
  readonly code = 'ERR_ADDRESS_BLOCKED';

  constructor(readonly hostname: string) {
    super(`refusing to connect to ${hostname}: non-public address`);
  }
}

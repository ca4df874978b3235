/** Raised instead of connecting to a non-public address; the attempt's error code is `address_blocked`. */
export class AddressBlockedError extends Error {
  override readonly name = 'AddressBlockedError';
  readonly code = 'ERR_ADDRESS_BLOCKED';

  constructor(readonly hostname: string, readonly address: string) {
    super(
      hostname === address
        ? `refusing to connect to ${address}: not a public address`
        : `refusing to connect to ${hostname}: it resolves to ${address}, not a public address`,
    );
  }
}

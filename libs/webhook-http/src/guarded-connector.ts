import dns, { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { addressRefusal } from '@hookledger/domain';
import { AddressBlockedError } from './address-blocked.error';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** How names are resolved: `dns.lookup` by default; tests pass a stand-in to play a rebinding DNS server. */
export type Resolve = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface AddressGuard {
  /** CIDR ranges reachable even though they are not public (HOOKS_SSRF_ALLOW_CIDRS). */
  readonly allowCidrs?: readonly string[];
  readonly resolve?: Resolve;
}

/**
 * A DNS lookup for net/tls.connect that resolves once, checks every address, and hands the socket
 * only checked addresses: connecting never triggers a second lookup, so a rebinding DNS server
 * cannot answer "public" to the check and "private" to the connect.
 */
export function publicOnlyLookup(guard: AddressGuard = {}) {
  const resolve: Resolve = guard.resolve ?? ((hostname, options, callback) => dns.lookup(hostname, options, callback));
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      // Refuse the name if any address is private: which one the socket picks is not ours to choose.
      if (addresses.some((entry) => addressRefusal(entry.address, guard.allowCidrs) !== null)) return callback(new AddressBlockedError(hostname), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * undici's connector with the SSRF guard: literal IPs (which net.connect never looks up) are checked
 * here, names in publicOnlyLookup.
 */
export function publicOnlyConnector(guard: AddressGuard = {}, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: publicOnlyLookup(guard) });
  return (target, callback) => {
    if (isIP(target.hostname) && addressRefusal(target.hostname, guard.allowCidrs) !== null) {
      callback(new AddressBlockedError(target.hostname), null);
      return;
    }
    return connect(target, callback);
  };
}

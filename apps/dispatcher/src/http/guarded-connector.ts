import { LookupAddress, LookupAllOptions, LookupOneOptions, lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { AddressBlockedError } from './address-blocked.error';
import { isPublicAddress } from './public-address';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for net/tls.connect that resolves once, checks every address, and hands the socket
 * only checked addresses: connecting never triggers a second lookup, so a rebinding DNS server
 * cannot answer "public" to the check and "private" to the connect.
 */
export function publicOnlyLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    // Refuse the name if any address is private: which one the socket picks is not ours to choose.
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked) return callback(new AddressBlockedError(hostname, blocked.address), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * undici's connector with the SSRF guard: literal IPs (which net.connect never looks up) are checked
 * here, names in publicOnlyLookup.
 */
export function publicOnlyConnector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: publicOnlyLookup });
  return (target, callback) => {
    if (isIP(target.hostname) && !isPublicAddress(target.hostname)) {
      callback(new AddressBlockedError(target.hostname, target.hostname), null);
      return;
    }
    return connect(target, callback);
  };
}

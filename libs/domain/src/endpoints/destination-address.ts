import ipaddr from 'ipaddr.js';

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  reserved: 'a reserved or documentation address',
  uniqueLocal: 'a unique-local address',
  deprecatedSiteLocal: 'a site-local address',
  rfc6052: 'a NAT64 address',
  rfc6145: 'an IPv4-translated (SIIT) address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

const GLOBAL_IPV6 = ipaddr.parseCIDR('2000::/3');

/**
 * Why a connection to this IP address is refused ("a loopback address"), or null when the address
 * is on the public internet or inside one of `allowCidrs`. Everything ipaddr.js does not call
 * 'unicast' is refused, and so is IPv6 outside 2000::/3 (IPv4-compatible ::a.b.c.d among it). The
 * ranges that embed or tunnel to IPv4 (NAT64, 6to4, Teredo, SIIT) are refused whole: through them
 * a private IPv4 address could be reached.
 */
export function addressRefusal(address: string, allowCidrs: readonly string[] = []): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  // ::ffff:a.b.c.d is the IPv4 address itself: judge it as IPv4.
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
  if (allowCidrs.some((cidr) => inRange(parsed, cidr))) return null;
  const range = parsed.range();
  if (range !== 'unicast') return RANGE_NAMES[range] ?? `a non-public address (${range})`;
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_IPV6)) return 'not a global IPv6 address';
  return null;
}

export function isPublicAddress(address: string): boolean {
  return addressRefusal(address) === null;
}

/**
 * Why a webhook URL is refused before any connection is tried: its host is a literal IP address
 * (in any spelling — WHATWG parsing turns `2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` into
 * 127.0.0.1) that addressRefusal refuses, or a `localhost` name. Other names are checked when
 * connecting, where their answer is what counts. Returns e.g. "a loopback address (127.0.0.1)".
 */
export function destinationRefusal(url: string, allowCidrs: readonly string[] = []): string | null {
  let hostname: string;
  try {
    hostname = new URL(url).hostname.toLowerCase();
  } catch {
    return null; // not a URL: the caller's format validation says so
  }
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(bare)) {
    const refusal = addressRefusal(bare, allowCidrs);
    return refusal && `${refusal} (${bare})`;
  }
  const name = bare.replace(/\.$/, '');
  // localhost names never leave the machine (RFC 6761), whatever a resolver would answer.
  if ((name === 'localhost' || name.endsWith('.localhost')) && addressRefusal('127.0.0.1', allowCidrs)) return `a loopback name (${name})`;
  return null;
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  const range = ipaddr.parseCIDR(cidr);
  return range[0].kind() === address.kind() && address.match(range);
}

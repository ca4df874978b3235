import ipaddr from 'ipaddr.js';

/**
 * Whether an address is on the public internet. Everything ipaddr.js does not call 'unicast' is
 * refused: loopback, RFC 1918, link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local,
 * unspecified, broadcast, multicast, reserved, and the IPv6 ranges that embed or tunnel to IPv4
 * (NAT64, 6to4, Teredo, SIIT), through which a private IPv4 address could be reached.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  // ::ffff:a.b.c.d is the IPv4 address itself: judge it as IPv4.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/**
 * Which network addresses a webhook may be delivered to.
 *
 * A subscriber chooses the URL, so the URL must never reach inside our own network: loopback,
 * private (RFC 1918), carrier-grade NAT, link-local (which holds the cloud metadata service,
 * 169.254.169.254), unique-local IPv6 (which holds AWS's IPv6 metadata address, fd00:ec2::254),
 * multicast, broadcast, unspecified and the reserved/documentation blocks are all refused.
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64, 6to4 and Teredo IPv6 addresses
 * embed an IPv4 address and are judged by it or refused.
 *
 * The rule is an allow-list: only global unicast passes (ipaddr.js's `unicast` range, and for IPv6
 * only inside 2000::/3). The adapter applies it to every address a host name resolves to, right
 * before connecting to that very address (so a DNS answer cannot change between check and use).
 */
import ipaddr from 'ipaddr.js';

export type AddressVerdict = { allowed: true; loopback: boolean } | { allowed: false; reason: string };

export interface AddressPolicy {
  /** Local runs only: accept loopback addresses (127.0.0.0/8, ::1), so tests can run a receiver. */
  allowLoopback: boolean;
}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const IPV4_COMPATIBLE_V6 = ipaddr.IPv6.parseCIDR('::/96');

/** The verdict on one literal address (IPv4 or IPv6, without brackets or zone). */
export function judgeAddress(address: string, policy: AddressPolicy): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: `not an IP address: ${address}` };
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    else if (v6.match(IPV4_COMPATIBLE_V6) && !['loopback', 'unspecified'].includes(v6.range())) {
      return { allowed: false, reason: `IPv4-compatible IPv6 address ${address} is not allowed` };
    }
  }
  const range = ip.range();
  if (range === 'loopback') {
    return policy.allowLoopback ? { allowed: true, loopback: true } : { allowed: false, reason: `${address} is a loopback address` };
  }
  if (range !== 'unicast') return { allowed: false, reason: `${address} is a ${range} address` };
  if (ip.kind() === 'ipv6' && !(ip as ipaddr.IPv6).match(GLOBAL_UNICAST_V6)) {
    return { allowed: false, reason: `${address} is not a global unicast IPv6 address` };
  }
  return { allowed: true, loopback: false };
}

/** A URL's host as an address literal ("[::1]" -> "::1"), or null for a host name. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}

import { isIP } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';

/**
 * Which hops in front of us may set X-Forwarded-For (TRUST_PROXY, see docs/operations.md):
 * none; the nearest N hops whatever their address; or the hops whose address is in a list
 * of IPs, CIDRs and proxy-addr's named ranges.
 */
export type TrustProxy = false | { hops: number } | { addresses: string[] };

/**
 * `TRUST_PROXY=true` trusts hops on loopback, link-local and private networks, where a balancer
 * normally sits. Fastify's own `true` trusts every hop and so takes the left-most entry, which
 * the client writes itself.
 */
export const TRUST_PRIVATE_HOPS = ['loopback', 'linklocal', 'uniquelocal'];

/** Parses TRUST_PROXY; returns a message instead when the value is not one of the accepted forms. */
export function parseTrustProxy(value: string): TrustProxy | { error: string } {
  const v = value.trim().toLowerCase();
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return { addresses: TRUST_PRIVATE_HOPS };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= 100 ? { hops } : { error: 'must be a hop count between 0 and 100' };
  }
  const addresses = v.split(',').map((a) => a.trim()).filter(Boolean);
  try {
    // The library that applies the list also checks it, so what passes here works at run time.
    proxyAddr.compile(addresses);
    return { addresses };
  } catch (err) {
    return {
      error: `must be true, false, a hop count, or comma-separated IPs/CIDRs (e.g. 10.0.0.0/8,127.0.0.1): ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** The `trustProxy` option for Fastify. Hop counts are ours: Fastify 5.12 ignores a number. */
export function fastifyTrustProxy(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if ('hops' in trust) {
    const { hops } = trust;
    return hops === 0 ? false : (_address, hop) => hop < hops;
  }
  return trust.addresses;
}

/**
 * A plain IPv4 or IPv6 address PostgreSQL's inet accepts, or undefined: IPv4-mapped IPv6 is
 * unwrapped, a zone id (`fe80::1%eth0`) dropped, anything else (`1.2.3.4:5678`, a name) refused.
 */
export function normalizeAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const zone = raw.indexOf('%');
  const bare = zone === -1 ? raw : raw.slice(0, zone);
  const family = isIP(bare);
  if (family === 0) return undefined;
  // isIP accepts only canonical dotted quads (no leading zeros), so a v4 address is already in the form
  // ipaddr would print: this skips a parse on every request, where the socket's address is nearly always v4.
  if (family === 4) return bare;
  if (bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4) return bare.slice(7);
  return ipaddr.process(bare).toString();
}

/**
 * The one client address every decision uses (demo quota, sign-in throttling, /metrics, audit):
 * the right-most X-Forwarded-For hop we do not trust, as Fastify computes it from TRUST_PROXY,
 * or the socket's address when that hop is not a valid IP. Always a valid IP.
 */
export function clientAddress(req: FastifyRequest): string {
  return normalizeAddress(req.ip) ?? normalizeAddress(req.socket.remoteAddress) ?? '0.0.0.0';
}

/** What per-address limits count by: the address, or for IPv6 its /64 (one host can hold a whole /64). */
export function addressBucket(address: string): string {
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`;
}

/** Loopback, private (RFC 1918, fc00::/7) and link-local addresses: this machine's or its own network's. */
export function isPrivateAddress(address: string): boolean {
  const parsed = normalizeAddress(address);
  if (!parsed) return false;
  return ['loopback', 'private', 'uniqueLocal', 'linkLocal'].includes(ipaddr.parse(parsed).range());
}

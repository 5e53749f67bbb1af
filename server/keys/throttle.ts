import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';

export interface VerifyThrottleOptions {
  /** How long failures are counted (a fixed window from the first failure). */
  windowMs: number;
  /** Failed verifications of one lookup id, after which only addresses with no failures may try it. */
  maxFailuresPerLookupId: number;
  /** Failed verifications from one address (IPv6: its /64), after which it may try no new key. */
  maxFailuresPerAddress: number;
  /** Verifications in flight from one address. */
  maxInFlightPerAddress: number;
  /** Entries per table; the oldest are forgotten first. */
  maxEntries: number;
  /** The clock, for tests. */
  now?: () => number;
}

export const DEFAULT_VERIFY_THROTTLE: VerifyThrottleOptions = {
  windowMs: 60_000,
  maxFailuresPerLookupId: 10,
  maxFailuresPerAddress: 20,
  maxInFlightPerAddress: 4,
  maxEntries: 10_000,
};

/** A verification may go ahead; report how it ended. */
export interface VerifyTicket {
  done(outcome: 'verified' | 'failed' | 'error'): void;
}

export interface VerifyRefusal {
  retryAfterSeconds: number;
}

/**
 * Bounds what made-up keys cost. The checksum is public, so anyone can build
 * well-formed keys, and one with a live lookup id costs a bcrypt compare. Every
 * refusal here happens before any SQL or bcrypt:
 *
 * - an address with too many failures in the window may try no new key;
 * - a lookup id with too many failures may then be tried only from addresses
 *   with no failure at all, so a flood on it needs a fresh address per compare
 *   while the key's holder, from their own clean address, still gets in;
 * - one lookup id has at most one verification in flight (one key has one
 *   digest, and concurrent requests with the same digest already share one
 *   verification), and one address at most a few;
 * - a key this instance has verified before (remembered by lookup id and
 *   SHA-256 digest, never the key) is exempt: a flood on its id cannot lock
 *   it out when its cache entry expires, and it costs one compare at most.
 *
 * Per instance, in memory: it only ever refuses, never admits (admission
 * re-checks the key in PostgreSQL), so it needs no coordination; N instances
 * allow N times the budget.
 */
export class VerifyThrottle {
  private readonly opts: VerifyThrottleOptions;
  private readonly failuresById: LRUCache<string, number>;
  private readonly failuresByAddress: LRUCache<string, number>;
  private readonly knownGood: LRUCache<string, string>;
  private readonly inFlightIds = new Set<string>();
  private readonly inFlightByAddress = new Map<string, number>();

  constructor(opts: Partial<VerifyThrottleOptions> = {}) {
    this.opts = { ...DEFAULT_VERIFY_THROTTLE, ...opts };
    const now = this.opts.now;
    const counters = () =>
      new LRUCache<string, number>({
        max: this.opts.maxEntries,
        ttl: this.opts.windowMs,
        ttlResolution: 0,
        ...(now ? { perf: { now } } : {}),
      });
    this.failuresById = counters();
    this.failuresByAddress = counters();
    this.knownGood = new LRUCache({ max: this.opts.maxEntries });
  }

  /** Whether a verification of this key (lookup id + digest) from this address may start now. */
  begin(lookupId: string, digest: string, address: string | undefined): VerifyTicket | VerifyRefusal {
    if (this.knownGood.get(lookupId) === digest) return this.ticket(lookupId, digest, undefined, false);
    const addr = address === undefined ? undefined : addressKey(address);
    const addressFailures = addr === undefined ? 0 : (this.failuresByAddress.get(addr) ?? 0);
    if (addr !== undefined && addressFailures >= this.opts.maxFailuresPerAddress) return this.refusal(this.failuresByAddress, addr);
    if ((this.failuresById.get(lookupId) ?? 0) >= this.opts.maxFailuresPerLookupId && (addr === undefined || addressFailures > 0)) {
      return this.refusal(this.failuresById, lookupId);
    }
    if (this.inFlightIds.has(lookupId)) return { retryAfterSeconds: 1 };
    if (addr !== undefined && (this.inFlightByAddress.get(addr) ?? 0) >= this.opts.maxInFlightPerAddress) return { retryAfterSeconds: 1 };
    return this.ticket(lookupId, digest, addr, true);
  }

  /** A key just issued here: its holder is known before their first request. */
  trust(lookupId: string, digest: string): void {
    this.knownGood.set(lookupId, digest);
  }

  private ticket(lookupId: string, digest: string, addr: string | undefined, counted: boolean): VerifyTicket {
    if (counted) {
      this.inFlightIds.add(lookupId);
      if (addr !== undefined) this.inFlightByAddress.set(addr, (this.inFlightByAddress.get(addr) ?? 0) + 1);
    }
    let finished = false;
    return {
      done: (outcome) => {
        if (finished) return;
        finished = true;
        if (counted) {
          this.inFlightIds.delete(lookupId);
          if (addr !== undefined) {
            const left = (this.inFlightByAddress.get(addr) ?? 1) - 1;
            if (left > 0) this.inFlightByAddress.set(addr, left);
            else this.inFlightByAddress.delete(addr);
          }
        }
        if (outcome === 'verified') this.knownGood.set(lookupId, digest);
        else if (outcome === 'failed') {
          this.countFailure(this.failuresById, lookupId);
          if (addr !== undefined) this.countFailure(this.failuresByAddress, addr);
        }
      },
    };
  }

  private countFailure(table: LRUCache<string, number>, key: string): void {
    // The window runs from the first failure; later ones do not extend it.
    table.set(key, (table.get(key) ?? 0) + 1, { noUpdateTTL: true });
  }

  private refusal(table: LRUCache<string, number>, key: string): VerifyRefusal {
    return { retryAfterSeconds: Math.max(1, Math.ceil(table.getRemainingTTL(key) / 1000)) };
  }
}

/** One host can use a whole IPv6 /64, so that is what counts as one address (as for demo calls). */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  return `${new ipaddr.IPv6([...(addr as ipaddr.IPv6).parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}

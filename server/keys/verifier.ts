import type { VerifyRefusal, VerifyThrottle } from './throttle.ts';

/**
 * What API keys and management keys share between "the key is well formed and
 * not cached" and "the database and bcrypt said yes or no": one verification
 * per key at a time (a burst of requests with one new key costs one bcrypt
 * compare, not one each), behind the throttle that bounds made-up keys.
 * Each kind passes its own `namespace` so their lookup ids never share a counter.
 */
export class VerificationGate<T> {
  private readonly throttle: VerifyThrottle;
  private readonly namespace: string;
  private readonly inflight = new Map<string, Promise<T | undefined>>();

  constructor(throttle: VerifyThrottle, namespace = '') {
    this.throttle = throttle;
    this.namespace = namespace;
  }

  /** `verify` runs, or joins the one in flight for this digest; the throttle's refusal is returned, not thrown. */
  run(lookupId: string, digest: string, clientIp: string | undefined, verify: () => Promise<T | undefined>): Promise<T | undefined> | VerifyRefusal {
    const existing = this.inflight.get(digest);
    if (existing) return existing;
    // Checked once per verification: requests that share one in flight cost nothing more.
    const ticket = this.throttle.begin(this.namespace + lookupId, digest, clientIp);
    if ('retryAfterSeconds' in ticket) return ticket;
    const pending = verify()
      .then(
        (verified) => {
          ticket.done(verified ? 'verified' : 'failed');
          return verified;
        },
        (err: unknown) => {
          ticket.done('error');
          throw err;
        },
      )
      .finally(() => this.inflight.delete(digest));
    this.inflight.set(digest, pending);
    return pending;
  }

  /** A key just issued here: its holder is known before their first request. */
  trust(lookupId: string, digest: string): void {
    this.throttle.trust(this.namespace + lookupId, digest);
  }
}

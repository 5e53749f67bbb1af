import { AppError } from '../errors.ts';
import { listSchema, singleSchema, subscriptionPayload, type SubscriptionPayload } from './payload.ts';

/**
 * Lemon Squeezy's REST API (JSON:API, `Authorization: Bearer`), through fetch.
 *
 * Not the official SDK (`@lemonsqueezy/lemonsqueezy.js`): its v4 builds every
 * URL from a constant `API_BASE_URL = "https://api.lemonsqueezy.com"`
 * (src/internal/utils/index.ts) and keeps the key process-wide
 * (`lemonSqueezySetup`), so it cannot honour LEMONSQUEEZY_API_URL (tests and
 * self-hosters pointing elsewhere) nor two configurations in one process; the
 * handful of calls Harmonic makes are simpler to make directly.
 */
export interface LemonSqueezyClientOptions {
  /** e.g. https://api.lemonsqueezy.com/v1, without a trailing slash. */
  apiUrl: string;
  apiKey: string;
  storeId: string;
  /** Requests per minute this process allows itself (Lemon Squeezy's limit is 300). */
  perMinute?: number;
  timeoutMs?: number;
}

export interface VariantInfo {
  id: string;
  name: string;
  productId: string | null;
  /** Cents, per `interval`. */
  price: number | null;
  interval: string | null;
  intervalCount: number | null;
  isSubscription: boolean;
}

/** A refusal from Lemon Squeezy, with its status and the first error's detail (never the request's key). */
export class LemonSqueezyError extends Error {
  readonly status: number;
  readonly detail: string;
  constructor(status: number, detail: string) {
    super(`Lemon Squeezy answered ${status}: ${detail}`);
    this.name = 'LemonSqueezyError';
    this.status = status;
    this.detail = detail;
  }
}

const MINUTE_MS = 60_000;

/**
 * At most `perMinute` requests in any sliding minute: a request that would be
 * one too many waits until the oldest of the last `perMinute` is a minute old.
 */
export class MinuteLimiter {
  private readonly sent: number[] = [];
  private readonly perMinute: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private queue: Promise<void> = Promise.resolve();

  constructor(perMinute: number, clock: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {}) {
    this.perMinute = perMinute;
    this.now = clock.now ?? Date.now;
    this.sleep = clock.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Resolves when one more request may go out; calls are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.now();
        while (this.sent.length && (this.sent[0] ?? 0) <= now - MINUTE_MS) this.sent.shift();
        if (this.sent.length < this.perMinute) {
          this.sent.push(now);
          return;
        }
        await this.sleep((this.sent[0] ?? now) + MINUTE_MS - now);
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

export class LemonSqueezyClient {
  private readonly apiUrl: string;
  private readonly apiKey: string;
  readonly storeId: string;
  private readonly timeoutMs: number;
  readonly limiter: MinuteLimiter;

  constructor(opts: LemonSqueezyClientOptions) {
    this.apiUrl = opts.apiUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.storeId = opts.storeId;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.limiter = new MinuteLimiter(opts.perMinute ?? 300);
  }

  /** GET /variants/:id; null when Lemon Squeezy has no such variant. */
  async getVariant(id: string): Promise<VariantInfo | null> {
    try {
      const body = singleSchema.parse(await this.request('GET', `/variants/${encodeURIComponent(id)}`));
      const a = body.data.attributes;
      return {
        id: body.data.id,
        name: typeof a['name'] === 'string' ? a['name'] : `Variant ${body.data.id}`,
        productId: a['product_id'] === undefined || a['product_id'] === null ? null : String(a['product_id']),
        price: typeof a['price'] === 'number' ? a['price'] : null,
        interval: typeof a['interval'] === 'string' ? a['interval'] : null,
        intervalCount: typeof a['interval_count'] === 'number' ? a['interval_count'] : null,
        isSubscription: a['is_subscription'] === true,
      };
    } catch (err) {
      if (err instanceof LemonSqueezyError && err.status === 404) return null;
      throw err;
    }
  }

  /** POST /checkouts: a hosted checkout for one variant, carrying the customer's email, their user id and the way back. */
  async createCheckout(input: { variantId: string; email: string; userId: string; redirectUrl: string; testMode?: boolean }): Promise<string> {
    const body = await this.request('POST', '/checkouts', {
      data: {
        type: 'checkouts',
        attributes: {
          checkout_data: { email: input.email, custom: { user_id: input.userId } },
          product_options: { redirect_url: input.redirectUrl, enabled_variants: [Number(input.variantId)] },
          ...(input.testMode === undefined ? {} : { test_mode: input.testMode }),
        },
        relationships: {
          store: { data: { type: 'stores', id: this.storeId } },
          variant: { data: { type: 'variants', id: input.variantId } },
        },
      },
    });
    const url = singleSchema.parse(body).data.attributes['url'];
    if (typeof url !== 'string') throw new LemonSqueezyError(502, 'the checkout has no url');
    return url;
  }

  async getSubscription(id: string): Promise<SubscriptionPayload> {
    const body = singleSchema.parse(await this.request('GET', `/subscriptions/${encodeURIComponent(id)}`));
    return subscriptionPayload(body.data.id, body.data.attributes);
  }

  /**
   * DELETE /subscriptions/:id: Lemon Squeezy's documented cancel
   * (https://docs.lemonsqueezy.com/api/subscriptions/cancel-subscription), which
   * leaves it `cancelled` and valid until `ends_at`; it answers the subscription.
   */
  async cancelSubscription(id: string): Promise<SubscriptionPayload> {
    const body = singleSchema.parse(await this.request('DELETE', `/subscriptions/${encodeURIComponent(id)}`));
    return subscriptionPayload(body.data.id, body.data.attributes);
  }

  /** PATCH /subscriptions/:id with attributes such as `{ variant_id }` (a plan change, prorated) or `{ cancelled: false }` (resume). */
  async updateSubscription(id: string, attributes: Record<string, unknown>): Promise<SubscriptionPayload> {
    const body = singleSchema.parse(await this.request('PATCH', `/subscriptions/${encodeURIComponent(id)}`, { data: { type: 'subscriptions', id, attributes } }));
    return subscriptionPayload(body.data.id, body.data.attributes);
  }

  /**
   * The store's subscriptions a page at a time (`page[number]`, `page[size]`),
   * following `links.next` until there is none; each request waits its turn in
   * the minute's budget. Rows that do not parse are returned as errors, not thrown,
   * so one odd subscription does not stop a reconciliation.
   */
  async *listSubscriptions(pageSize = 100): AsyncGenerator<{ subscriptions: SubscriptionPayload[]; invalid: { id: string; error: string }[] }> {
    let path: string | null = `/subscriptions?filter[store_id]=${encodeURIComponent(this.storeId)}&page[number]=1&page[size]=${pageSize}`;
    let pages = 0;
    while (path && pages < 10_000) {
      pages++;
      const body = listSchema.parse(await this.request('GET', path));
      const subscriptions: SubscriptionPayload[] = [];
      const invalid: { id: string; error: string }[] = [];
      for (const r of body.data) {
        try {
          subscriptions.push(subscriptionPayload(r.id, r.attributes));
        } catch (err) {
          invalid.push({ id: r.id, error: err instanceof Error ? err.message.slice(0, 300) : String(err) });
        }
      }
      yield { subscriptions, invalid };
      path = body.links?.next ? this.relative(body.links.next) : null;
    }
  }

  /** `links.next` is absolute (Lemon Squeezy's own host); follow it under the configured API URL. */
  private relative(next: string): string {
    const base = new URL(`${this.apiUrl}/`);
    const url = new URL(next, base);
    const prefix = base.pathname.replace(/\/$/, '');
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    return `${path}${url.search}`;
  }

  private async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    await this.limiter.take();
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: {
          accept: 'application/vnd.api+json',
          ...(body === undefined ? {} : { 'content-type': 'application/vnd.api+json' }),
          authorization: `Bearer ${this.apiKey}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AppError('SERVICE_UNAVAILABLE', `Lemon Squeezy could not be reached (${err instanceof Error ? err.name : 'error'}); try again`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (res.ok && json !== undefined) return json;
    const detail = errorDetail(json) ?? `HTTP ${res.status}`;
    if (res.status === 401) throw new AppError('SERVICE_UNAVAILABLE', 'Lemon Squeezy refused the API key (LEMONSQUEEZY_API_KEY): it may be wrong, expired or of the other mode');
    if (res.status === 429) throw new AppError('SERVICE_UNAVAILABLE', 'Lemon Squeezy is rate limiting this store; try again in a minute', { headers: { 'Retry-After': res.headers.get('retry-after') ?? '60' } });
    if (res.status >= 500 || json === undefined) throw new AppError('SERVICE_UNAVAILABLE', `Lemon Squeezy failed (${res.status}); try again`);
    throw new LemonSqueezyError(res.status, detail);
  }
}

function errorDetail(json: unknown): string | undefined {
  const errors = (json as { errors?: { detail?: unknown; title?: unknown }[] } | undefined)?.errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  const detail = first?.detail ?? first?.title;
  return typeof detail === 'string' ? detail.slice(0, 300) : undefined;
}

import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSignature } from '../billing/signature.ts';

/**
 * A fake Lemon Squeezy API for tests (and the browser journey): a real local
 * HTTP server answering in the recorded and documented shapes of
 * server/billing/fixtures/, for variants, checkouts, the subscriptions list
 * (paginated, `links.next` pointing at Lemon Squeezy's own host as the real one
 * does) and retrieve, update (variant change, resume) and cancel (DELETE). It checks the
 * Bearer key and the JSON:API headers, records every request, and lets a test
 * set subscriptions' state. Its checkout URLs point at a page it serves itself.
 */

const FIXTURES = new URL('../billing/fixtures/', import.meta.url);
/** A fixture's exact bytes. */
export const lemonSqueezyFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const fixtureJson = <T = Record<string, unknown>>(name: string): T => JSON.parse(lemonSqueezyFixture(name).toString('utf8')) as T;

export const TEST_LS_API_KEY = 'ls-test-key-0123456789abcdefghijklmnopqrstuvwxyz';
export const TEST_LS_STORE_ID = '91257';
export const TEST_LS_SECRET = 'harmonic-test-secret';
const LS_HOST = 'https://api.lemonsqueezy.com/v1';
const JSON_API = 'application/vnd.api+json';

export interface RecordedRequest {
  method: string;
  /** Path and query, without the /v1 prefix. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeVariant {
  id: string;
  name: string;
  productId: string;
  productName: string;
  /** Cents per month. */
  price: number;
}

export interface FakeCheckout {
  id: string;
  url: string;
  variantId: string;
  email: string | null;
  custom: Record<string, unknown>;
  redirectUrl: string | null;
}

export type Attributes = Record<string, unknown>;

export interface FakeLemonSqueezy {
  /** The API base, for LEMONSQUEEZY_API_URL: http://127.0.0.1:<port>/v1 */
  apiUrl: string;
  /** http://127.0.0.1:<port>, where the checkout pages are. */
  origin: string;
  apiKey: string;
  storeId: string;
  secret: string;
  /** The environment that turns billing on against this fake. */
  env: Record<string, string>;
  requests: RecordedRequest[];
  variants: Map<string, FakeVariant>;
  checkouts: FakeCheckout[];
  /** Subscriptions by id, as their attributes (Lemon Squeezy's names). */
  subscriptions: Map<string, Attributes>;
  /** The largest page the list serves, whatever page[size] asks (Lemon Squeezy pages by 10 by default). */
  pageSize: number;
  /** Adds a variant the API knows. */
  addVariant(variant: Partial<FakeVariant> & { id: string }): FakeVariant;
  /** Creates or changes a subscription; `updated_at` moves on (strictly) unless given. Returns its attributes. */
  setSubscription(id: string, changes: Attributes): Attributes;
  /** What a checkout produced: a subscription for its customer, as Lemon Squeezy creates it on payment. */
  completeCheckout(checkoutId: string, changes?: Attributes): { id: string; attributes: Attributes };
  /** A webhook body for a subscription's current state, with `custom_data` as given (e.g. `{ user_id }`). */
  subscriptionWebhook(eventName: string, id: string, customData?: Record<string, unknown>): string;
  close(): Promise<void>;
}

const subscriptionTemplate = (): Attributes => fixtureJson<{ data: { attributes: Attributes } }>('api-subscription-retrieve.json').data.attributes;

export async function startFakeLemonSqueezy(opts: { apiKey?: string; storeId?: string; secret?: string; pageSize?: number } = {}): Promise<FakeLemonSqueezy> {
  const apiKey = opts.apiKey ?? TEST_LS_API_KEY;
  const storeId = opts.storeId ?? TEST_LS_STORE_ID;
  const secret = opts.secret ?? TEST_LS_SECRET;
  const requests: RecordedRequest[] = [];
  const variants = new Map<string, FakeVariant>();
  const checkouts: FakeCheckout[] = [];
  const subscriptions = new Map<string, Attributes>();
  let lastUpdated = Date.parse('2026-01-01T00:00:00Z');
  let origin = '';

  const nextUpdatedAt = () => {
    lastUpdated = Math.max(Date.now(), lastUpdated + 1000);
    return new Date(lastUpdated).toISOString().replace('Z', '000Z');
  };

  const fake: FakeLemonSqueezy = {
    apiUrl: '',
    origin: '',
    apiKey,
    storeId,
    secret,
    env: {},
    requests,
    variants,
    checkouts,
    subscriptions,
    pageSize: opts.pageSize ?? 10,
    addVariant(v) {
      const variant: FakeVariant = { name: `Variant ${v.id}`, productId: '575214', productName: 'Harmonic', price: 2900, ...v };
      variants.set(variant.id, variant);
      return variant;
    },
    setSubscription(id, changes) {
      const current = subscriptions.get(id) ?? { ...subscriptionTemplate(), store_id: Number(storeId) };
      const next: Attributes = { ...current, ...changes };
      if (!('updated_at' in changes)) next['updated_at'] = nextUpdatedAt();
      else if (typeof changes['updated_at'] === 'string') lastUpdated = Math.max(lastUpdated, Date.parse(changes['updated_at']));
      subscriptions.set(id, next);
      return next;
    },
    completeCheckout(checkoutId, changes = {}) {
      const checkout = checkouts.find((c) => c.id === checkoutId);
      if (!checkout) throw new Error(`no checkout ${checkoutId}`);
      const variant = variants.get(checkout.variantId);
      const id = String(1_000_000 + subscriptions.size + Math.floor(Math.random() * 1000) * 1000);
      const renews = new Date(Date.now() + 30 * 24 * 3600 * 1000);
      const attributes = fake.setSubscription(id, {
        variant_id: Number(checkout.variantId),
        product_id: Number(variant?.productId ?? 1),
        product_name: variant?.productName ?? 'Harmonic',
        variant_name: variant?.name ?? 'Default',
        user_email: checkout.email,
        user_name: 'Test Customer',
        status: 'active',
        status_formatted: 'Active',
        cancelled: false,
        trial_ends_at: null,
        ends_at: null,
        renews_at: renews.toISOString().replace('Z', '000Z'),
        billing_anchor: renews.getUTCDate(),
        created_at: new Date().toISOString().replace('Z', '000Z'),
        test_mode: true,
        ...changes,
      });
      return { id, attributes };
    },
    subscriptionWebhook(eventName, id, customData) {
      const attributes = subscriptions.get(id);
      if (!attributes) throw new Error(`no subscription ${id}`);
      return subscriptionWebhookBody({ eventName, id, attributes, customData });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const send = (res: ServerResponse, status: number, body: unknown, type = JSON_API) => {
    const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type });
    res.end(text);
  };
  const notFound = (res: ServerResponse) => send(res, 404, lemonSqueezyFixture('api-error-404.json'));

  const subscriptionResource = (id: string, attributes: Attributes) => {
    const expires = Math.floor(Date.now() / 1000) + 24 * 3600;
    const sig = () => randomBytes(32).toString('hex');
    return {
      type: 'subscriptions',
      id,
      attributes: {
        ...attributes,
        urls: {
          update_payment_method: `${origin}/subscription/${id}/payment-details?expires=${expires}&signature=${sig()}`,
          customer_portal: `${origin}/billing?expires=${expires}&signature=${sig()}`,
          customer_portal_update_subscription: `${origin}/billing/${id}/update?expires=${expires}&signature=${sig()}`,
        },
      },
      links: { self: `${LS_HOST}/subscriptions/${id}` },
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');

    const checkoutPage = /^\/checkout\/([0-9a-f-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && checkoutPage) {
      const checkout = checkouts.find((c) => c.id === checkoutPage[1]);
      if (!checkout) return send(res, 404, 'No such checkout', 'text/plain');
      return send(
        res,
        200,
        `<!doctype html><html><head><title>Fake Lemon Squeezy checkout</title><link rel="icon" href="data:,"></head><body><h1>Fake Lemon Squeezy checkout</h1>` +
          `<p data-testid="checkout-variant">Variant ${checkout.variantId}</p><p data-testid="checkout-email">${escapeHtml(checkout.email ?? '')}</p>` +
          `<p data-testid="checkout-id">${checkout.id}</p>${checkout.redirectUrl ? `<a href="${escapeHtml(checkout.redirectUrl)}">Back to the store</a>` : ''}</body></html>`,
        'text/html; charset=utf-8',
      );
    }
    if (url.pathname.startsWith('/_fake/')) return control(req.method ?? 'GET', url.pathname.slice('/_fake'.length), text, res);
    if (!url.pathname.startsWith('/v1/')) return notFound(res);
    const path = url.pathname.slice(3);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return send(res, 400, { jsonapi: { version: '1.0' }, errors: [{ detail: 'Malformed JSON', status: '400', title: 'Bad Request' }] });
    }
    requests.push({ method: req.method ?? '', path: `${path}${url.search}`, headers: req.headers, body });

    if (req.headers.authorization !== `Bearer ${apiKey}`) return send(res, 401, lemonSqueezyFixture('api-error-401.json'));
    if (req.headers.accept !== JSON_API) return send(res, 406, { jsonapi: { version: '1.0' }, errors: [{ detail: `Accept must be ${JSON_API}`, status: '406', title: 'Not Acceptable' }] });
    if ((req.method === 'POST' || req.method === 'PATCH') && req.headers['content-type'] !== JSON_API) {
      return send(res, 415, { jsonapi: { version: '1.0' }, errors: [{ detail: `Content-Type must be ${JSON_API}`, status: '415', title: 'Unsupported Media Type' }] });
    }

    const variantMatch = /^\/variants\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && variantMatch) {
      const variant = variants.get(variantMatch[1] ?? '');
      if (!variant) return notFound(res);
      const resource = fixtureJson('api-variant.json');
      return send(res, 200, {
        jsonapi: { version: '1.0' },
        links: { self: `${LS_HOST}/variants/${variant.id}` },
        data: {
          ...resource,
          id: variant.id,
          attributes: { ...(resource['attributes'] as Attributes), product_id: Number(variant.productId), name: variant.name, price: variant.price, is_subscription: true, interval: 'month', interval_count: 1 },
        },
      });
    }

    if (req.method === 'POST' && path === '/checkouts') {
      const data = (body as { data?: { attributes?: Attributes; relationships?: Record<string, { data?: { id?: string } }> } } | undefined)?.data;
      const variantId = data?.relationships?.['variant']?.data?.id;
      const store = data?.relationships?.['store']?.data?.id;
      if (!variantId || !variants.has(variantId) || store !== storeId) {
        return send(res, 404, { jsonapi: { version: '1.0' }, errors: [{ detail: 'The related resource does not exist.', source: { pointer: '/data/relationships/variant' }, status: '404', title: 'Not Found' }] });
      }
      const checkoutData = (data?.attributes?.['checkout_data'] ?? {}) as { email?: string; custom?: Record<string, unknown> };
      const productOptions = (data?.attributes?.['product_options'] ?? {}) as { redirect_url?: string };
      const id = randomUUID();
      const checkout: FakeCheckout = {
        id,
        url: `${origin}/checkout/${id}`,
        variantId,
        email: checkoutData.email ?? null,
        custom: checkoutData.custom ?? {},
        redirectUrl: productOptions.redirect_url ?? null,
      };
      checkouts.push(checkout);
      const template = fixtureJson<{ data: { attributes: Attributes } }>('api-checkout-create-response.json');
      return send(res, 201, {
        ...template,
        links: { self: `${LS_HOST}/checkouts/${id}` },
        data: {
          ...template.data,
          id,
          attributes: {
            ...template.data.attributes,
            store_id: Number(storeId),
            variant_id: Number(variantId),
            checkout_data: { ...(template.data.attributes['checkout_data'] as Attributes), email: checkout.email ?? '', custom: checkout.custom },
            url: checkout.url,
          },
        },
      });
    }

    if (req.method === 'GET' && path === '/subscriptions') {
      if (url.searchParams.get('filter[store_id]') !== storeId) return send(res, 200, { jsonapi: { version: '1.0' }, meta: { page: { currentPage: 1, from: 0, lastPage: 1, perPage: fake.pageSize, to: 0, total: 0 } }, links: {}, data: [] });
      const size = Math.min(fake.pageSize, Number(url.searchParams.get('page[size]') ?? fake.pageSize) || fake.pageSize);
      const number = Math.max(1, Number(url.searchParams.get('page[number]') ?? 1) || 1);
      const all = [...subscriptions.entries()].sort(([a], [b]) => Number(a) - Number(b));
      const lastPage = Math.max(1, Math.ceil(all.length / size));
      const page = all.slice((number - 1) * size, number * size);
      const link = (n: number) => `${LS_HOST}/subscriptions?filter%5Bstore_id%5D=${storeId}&page%5Bnumber%5D=${n}&page%5Bsize%5D=${size}&sort=-createdAt`;
      return send(res, 200, {
        meta: { page: { currentPage: number, from: (number - 1) * size + 1, lastPage, perPage: size, to: (number - 1) * size + page.length, total: all.length } },
        jsonapi: { version: '1.0' },
        links: { first: link(1), last: link(lastPage), ...(number < lastPage ? { next: link(number + 1) } : {}), ...(number > 1 ? { prev: link(number - 1) } : {}) },
        data: page.map(([id, a]) => subscriptionResource(id, a)),
      });
    }

    const subMatch = /^\/subscriptions\/([0-9]+)$/.exec(path);
    if (subMatch) {
      const id = subMatch[1] ?? '';
      const current = subscriptions.get(id);
      if (!current) return notFound(res);
      if (req.method === 'GET') return send(res, 200, { jsonapi: { version: '1.0' }, links: { self: `${LS_HOST}/subscriptions/${id}` }, data: subscriptionResource(id, current) });
      if (req.method === 'DELETE') {
        const updated = fake.setSubscription(id, { cancelled: true, status: 'cancelled', status_formatted: 'Cancelled', ends_at: current['renews_at'] ?? null });
        return send(res, 200, { jsonapi: { version: '1.0' }, links: { self: `${LS_HOST}/subscriptions/${id}` }, data: subscriptionResource(id, updated) });
      }
      if (req.method === 'PATCH') {
        const attrs = ((body as { data?: { attributes?: Attributes } } | undefined)?.data?.attributes ?? {}) as Attributes;
        const changes: Attributes = {};
        if (attrs['variant_id'] !== undefined) {
          const variant = variants.get(String(attrs['variant_id']));
          if (!variant) return send(res, 422, { jsonapi: { version: '1.0' }, errors: [{ detail: 'The variant id is invalid.', source: { pointer: '/data/attributes/variant_id' }, status: '422', title: 'Unprocessable Entity' }] });
          Object.assign(changes, { variant_id: Number(variant.id), variant_name: variant.name, product_id: Number(variant.productId), product_name: variant.productName });
        }
        if (attrs['cancelled'] === true) Object.assign(changes, { cancelled: true, status: 'cancelled', status_formatted: 'Cancelled', ends_at: current['renews_at'] ?? null });
        if (attrs['cancelled'] === false) Object.assign(changes, { cancelled: false, status: 'active', status_formatted: 'Active', ends_at: null });
        const updated = fake.setSubscription(id, changes);
        return send(res, 200, { jsonapi: { version: '1.0' }, links: { self: `${LS_HOST}/subscriptions/${id}` }, data: subscriptionResource(id, updated) });
      }
    }
    return notFound(res);
  };

  /**
   * The test's own door, for specs in other processes than the one that started
   * the fake (Playwright's workers): see `FakeLemonSqueezyControl`.
   */
  const control = (method: string, path: string, text: string, res: ServerResponse) => {
    const input = (text ? JSON.parse(text) : {}) as { attributes?: Attributes; eventName?: string; customData?: Record<string, unknown> };
    const ok = (body: unknown) => send(res, 200, body, 'application/json');
    if (method === 'GET' && path === '/checkouts') return ok(checkouts);
    if (method === 'GET' && path === '/requests') return ok(requests.map(({ method: m, path: p, body }) => ({ method: m, path: p, body })));
    const complete = /^\/checkouts\/([0-9a-f-]+)\/complete$/.exec(path);
    if (method === 'POST' && complete) return ok(fake.completeCheckout(complete[1] ?? '', input.attributes));
    const setSub = /^\/subscriptions\/([0-9]+)$/.exec(path);
    if (method === 'POST' && setSub) return ok({ id: setSub[1], attributes: fake.setSubscription(setSub[1] ?? '', input.attributes ?? {}) });
    const hook = /^\/subscriptions\/([0-9]+)\/webhook$/.exec(path);
    if (method === 'POST' && hook) return ok({ body: fake.subscriptionWebhook(input.eventName ?? 'subscription_updated', hook[1] ?? '', input.customData) });
    const variant = /^\/variants\/([0-9]+)$/.exec(path);
    if (method === 'POST' && variant) return ok(fake.addVariant({ ...(input.attributes as Partial<FakeVariant> | undefined), id: variant[1] ?? '' }));
    return send(res, 404, { error: `no control route ${method} ${path}` }, 'application/json');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { errors: [{ detail: String(err), status: '500' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  fake.origin = origin;
  fake.apiUrl = `${origin}/v1`;
  fake.env = { LEMONSQUEEZY_API_KEY: apiKey, LEMONSQUEEZY_STORE_ID: storeId, LEMONSQUEEZY_WEBHOOK_SECRET: secret, LEMONSQUEEZY_API_URL: fake.apiUrl };
  return fake;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A subscription webhook body built on the recorded subscription_created
 * delivery (webhook-subscription_created.json): its envelope and attributes,
 * with the given ones laid over, and `meta.custom_data` as given (none: left out).
 */
export function subscriptionWebhookBody(opts: { eventName: string; id: string; attributes?: Attributes; customData?: Record<string, unknown> | undefined; webhookId?: string | null }): string {
  const recorded = fixtureJson<{ data: { attributes: Attributes; relationships: unknown }; meta: Attributes }>('webhook-subscription_created.json');
  const { custom_data: _recordedCustom, ...meta } = recorded.meta;
  return JSON.stringify({
    data: {
      id: opts.id,
      type: 'subscriptions',
      links: { self: `${LS_HOST}/subscriptions/${opts.id}` },
      attributes: { ...recorded.data.attributes, ...opts.attributes },
      relationships: recorded.data.relationships,
    },
    meta: {
      ...meta,
      event_name: opts.eventName,
      webhook_id: opts.webhookId === null ? undefined : (opts.webhookId ?? randomUUID()),
      ...(opts.customData ? { custom_data: opts.customData } : {}),
    },
  });
}

/** A subscription-invoice webhook body built on the recorded subscription_payment_success delivery. */
export function invoiceWebhookBody(opts: { eventName: string; id: string; subscriptionId: string; attributes?: Attributes; customData?: Record<string, unknown> }): string {
  const recorded = fixtureJson<{ data: { attributes: Attributes }; meta: Attributes }>('webhook-subscription_payment_success.codewriter.json');
  return JSON.stringify({
    meta: { ...recorded.meta, event_name: opts.eventName, webhook_id: randomUUID(), ...(opts.customData ? { custom_data: opts.customData } : {}) },
    data: { ...recorded.data, id: opts.id, attributes: { ...recorded.data.attributes, subscription_id: Number(opts.subscriptionId), ...opts.attributes } },
  });
}

/**
 * Signs `body` with the webhook secret and POSTs it to the server's webhook, as
 * Lemon Squeezy does (Content-Type application/json, X-Event-Name, X-Signature).
 * `signature` overrides the computed one (a bad-signature test).
 */
export async function deliverWebhook(
  server: { url: string },
  eventName: string,
  body: string | Buffer,
  opts: { secret?: string; signature?: string | null; headers?: Record<string, string> } = {},
): Promise<Response> {
  const signature = opts.signature === undefined ? webhookSignature(body, opts.secret ?? TEST_LS_SECRET) : opts.signature;
  return fetch(`${server.url}/api/v1/billing/lemonsqueezy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-event-name': eventName, ...(signature === null ? {} : { 'x-signature': signature }), ...opts.headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

/**
 * Drives a fake started in another process (the browser tests' global setup
 * publishes its origin as E2E_LEMONSQUEEZY_URL): the same operations as the
 * in-process object, over its `/_fake/` routes.
 */
export class FakeLemonSqueezyControl {
  readonly origin: string;
  constructor(origin: string) {
    this.origin = origin.replace(/\/+$/, '');
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.origin}/_fake${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`fake Lemon Squeezy ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  checkouts(): Promise<FakeCheckout[]> {
    return this.call('GET', '/checkouts');
  }
  requests(): Promise<Pick<RecordedRequest, 'method' | 'path' | 'body'>[]> {
    return this.call('GET', '/requests');
  }
  addVariant(id: string, attributes: Partial<Omit<FakeVariant, 'id'>> = {}): Promise<FakeVariant> {
    return this.call('POST', `/variants/${id}`, { attributes });
  }
  completeCheckout(checkoutId: string, attributes?: Attributes): Promise<{ id: string; attributes: Attributes }> {
    return this.call('POST', `/checkouts/${checkoutId}/complete`, { attributes });
  }
  setSubscription(id: string, attributes: Attributes): Promise<{ id: string; attributes: Attributes }> {
    return this.call('POST', `/subscriptions/${id}`, { attributes });
  }
  /** The body of a webhook for the subscription's current state; sign and send it with `deliverWebhook`. */
  async subscriptionWebhook(eventName: string, id: string, customData?: Record<string, unknown>): Promise<string> {
    return (await this.call<{ body: string }>('POST', `/subscriptions/${id}/webhook`, { eventName, customData })).body;
  }
}

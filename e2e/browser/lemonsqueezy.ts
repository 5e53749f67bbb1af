import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * STAND-IN, to be replaced on merge by server/testing/lemonsqueezy.ts (the
 * billing branch's fake Lemon Squeezy, which serves the recorded fixtures):
 * the same exported names and signatures, cut down to what the browser journey
 * (billing.spec.ts) uses, plus `port`, which the journey needs because the
 * e2e server is started (global-setup.ts) before the spec starts its fake.
 *
 * A real local HTTP server: GET /v1/variants/:id, POST /v1/checkouts (its URL
 * is a page served here, with a link back to the checkout's redirect_url),
 * GET /v1/subscriptions (one page) and GET/PATCH /v1/subscriptions/:id
 * (variant change, cancel, resume), in Lemon Squeezy's JSON:API shapes.
 */

export const TEST_LS_API_KEY = 'ls-test-key-0123456789abcdefghijklmnopqrstuvwxyz';
export const TEST_LS_STORE_ID = '91257';
export const TEST_LS_SECRET = 'harmonic-test-secret';
const LS_HOST = 'https://api.lemonsqueezy.com/v1';
const JSON_API = 'application/vnd.api+json';

export type Attributes = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** Path and query, without the /v1 prefix. */
  path: string;
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

export interface FakeLemonSqueezy {
  apiUrl: string;
  origin: string;
  secret: string;
  env: Record<string, string>;
  requests: RecordedRequest[];
  checkouts: FakeCheckout[];
  subscriptions: Map<string, Attributes>;
  addVariant(variant: Partial<FakeVariant> & { id: string }): FakeVariant;
  setSubscription(id: string, changes: Attributes): Attributes;
  completeCheckout(checkoutId: string, changes?: Attributes): { id: string; attributes: Attributes };
  subscriptionWebhook(eventName: string, id: string, customData?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Lemon Squeezy writes microseconds: 2025-07-12T10:23:36.000000Z. */
const lsTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** The attributes of a recorded subscription (webhook-subscription_created.json), less the ids a test sets. */
const subscriptionTemplate = (): Attributes => ({
  store_id: Number(TEST_LS_STORE_ID),
  customer_id: 6287548,
  order_id: 5932606,
  order_item_id: 5871833,
  product_id: 575214,
  variant_id: 896458,
  product_name: 'Pro Plan',
  variant_name: 'Default',
  user_name: 'Test Customer',
  user_email: 'customer@example.com',
  status: 'active',
  status_formatted: 'Active',
  card_brand: 'mastercard',
  card_last_four: '4444',
  payment_processor: 'stripe',
  pause: null,
  cancelled: false,
  trial_ends_at: null,
  billing_anchor: 19,
  renews_at: lsTime(Date.now() + 30 * 86_400_000),
  ends_at: null,
  created_at: lsTime(Date.now()),
  updated_at: lsTime(Date.now()),
  test_mode: true,
});

export async function startFakeLemonSqueezy(opts: { port?: number; secret?: string } = {}): Promise<FakeLemonSqueezy> {
  const secret = opts.secret ?? TEST_LS_SECRET;
  const requests: RecordedRequest[] = [];
  const variants = new Map<string, FakeVariant>();
  const checkouts: FakeCheckout[] = [];
  const subscriptions = new Map<string, Attributes>();
  let lastUpdated = Date.now();
  let origin = '';

  const fake: FakeLemonSqueezy = {
    apiUrl: '',
    origin: '',
    secret,
    env: {},
    requests,
    checkouts,
    subscriptions,
    addVariant(v) {
      const variant: FakeVariant = { name: `Variant ${v.id}`, productId: '575214', productName: 'Harmonic', price: 2900, ...v };
      variants.set(variant.id, variant);
      return variant;
    },
    setSubscription(id, changes) {
      const next: Attributes = { ...(subscriptions.get(id) ?? subscriptionTemplate()), ...changes };
      // Each change is strictly newer than the last, as the server applies only newer updates.
      if (!('updated_at' in changes)) next['updated_at'] = lsTime((lastUpdated = Math.max(Date.now(), lastUpdated + 1000)));
      subscriptions.set(id, next);
      return next;
    },
    completeCheckout(checkoutId, changes = {}) {
      const checkout = checkouts.find((c) => c.id === checkoutId);
      if (!checkout) throw new Error(`no checkout ${checkoutId}`);
      const variant = variants.get(checkout.variantId);
      const id = String(1_000_000 + Math.floor(Math.random() * 8_000_000));
      const renews = Date.now() + 30 * 86_400_000;
      return {
        id,
        attributes: fake.setSubscription(id, {
          variant_id: Number(checkout.variantId),
          product_id: Number(variant?.productId ?? 1),
          product_name: variant?.productName ?? 'Harmonic',
          variant_name: variant?.name ?? 'Default',
          user_email: checkout.email,
          renews_at: lsTime(renews),
          billing_anchor: new Date(renews).getUTCDate(),
          ...changes,
        }),
      };
    },
    subscriptionWebhook(eventName, id, customData) {
      const attributes = subscriptions.get(id);
      if (!attributes) throw new Error(`no subscription ${id}`);
      return subscriptionWebhookBody({ eventName, id, attributes, customData });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const send = (res: ServerResponse, status: number, body: unknown, type = JSON_API) => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const notFound = (res: ServerResponse) => send(res, 404, { jsonapi: { version: '1.0' }, errors: [{ detail: 'The requested resource could not be found.', status: '404', title: 'Not Found' }] });
  const subscriptionResource = (id: string, attributes: Attributes) => {
    const expires = Math.floor(Date.now() / 1000) + 86_400;
    const sig = () => randomBytes(32).toString('hex');
    return {
      type: 'subscriptions',
      id,
      attributes: {
        ...attributes,
        urls: {
          update_payment_method: `${origin}/subscription/${id}/payment-details?expires=${expires}&signature=${sig()}`,
          customer_portal: `${origin}/billing?expires=${expires}&signature=${sig()}`,
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

    const page = /^\/checkout\/([0-9a-f-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && page) {
      const checkout = checkouts.find((c) => c.id === page[1]);
      if (!checkout) return send(res, 404, 'No such checkout', 'text/plain');
      return send(
        res,
        200,
        `<!doctype html><html lang="en"><head><title>Fake Lemon Squeezy checkout</title></head><body><main><h1>Fake Lemon Squeezy checkout</h1>` +
          `<p>Variant ${checkout.variantId}</p>${checkout.redirectUrl ? `<a href="${escapeHtml(checkout.redirectUrl)}">Back to the store</a>` : ''}</main></body></html>`,
        'text/html; charset=utf-8',
      );
    }
    if (!url.pathname.startsWith('/v1/')) return notFound(res);
    const path = url.pathname.slice(3);
    const body: unknown = text ? JSON.parse(text) : undefined;
    requests.push({ method: req.method ?? '', path: `${path}${url.search}`, body });
    if (req.headers.authorization !== `Bearer ${TEST_LS_API_KEY}`) return send(res, 401, { jsonapi: { version: '1.0' }, errors: [{ detail: 'Unauthenticated.', status: '401', title: 'Unauthorized' }] });

    const variantMatch = /^\/variants\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && variantMatch) {
      const v = variants.get(variantMatch[1] ?? '');
      if (!v) return notFound(res);
      return send(res, 200, {
        jsonapi: { version: '1.0' },
        links: { self: `${LS_HOST}/variants/${v.id}` },
        data: { type: 'variants', id: v.id, attributes: { product_id: Number(v.productId), name: v.name, price: v.price, is_subscription: true, interval: 'month', interval_count: 1, status: 'published' } },
      });
    }

    if (req.method === 'POST' && path === '/checkouts') {
      const data = (body as { data?: { attributes?: Attributes; relationships?: Record<string, { data?: { id?: string } }> } } | undefined)?.data;
      const variantId = data?.relationships?.['variant']?.data?.id;
      if (!variantId || !variants.has(variantId)) return notFound(res);
      const checkoutData = (data?.attributes?.['checkout_data'] ?? {}) as { email?: string; custom?: Record<string, unknown> };
      const productOptions = (data?.attributes?.['product_options'] ?? {}) as { redirect_url?: string };
      const id = randomUUID();
      const checkout: FakeCheckout = { id, url: `${origin}/checkout/${id}`, variantId, email: checkoutData.email ?? null, custom: checkoutData.custom ?? {}, redirectUrl: productOptions.redirect_url ?? null };
      checkouts.push(checkout);
      return send(res, 201, {
        jsonapi: { version: '1.0' },
        links: { self: `${LS_HOST}/checkouts/${id}` },
        data: { type: 'checkouts', id, attributes: { store_id: Number(TEST_LS_STORE_ID), variant_id: Number(variantId), checkout_data: checkoutData, product_options: productOptions, url: checkout.url, test_mode: true } },
      });
    }

    if (req.method === 'GET' && path === '/subscriptions') {
      const all = [...subscriptions.entries()];
      return send(res, 200, {
        meta: { page: { currentPage: 1, from: all.length ? 1 : 0, lastPage: 1, perPage: 100, to: all.length, total: all.length } },
        jsonapi: { version: '1.0' },
        links: {},
        data: all.map(([id, a]) => subscriptionResource(id, a)),
      });
    }

    const subMatch = /^\/subscriptions\/([0-9]+)$/.exec(path);
    const current = subMatch ? subscriptions.get(subMatch[1] ?? '') : undefined;
    if (subMatch && current) {
      const id = subMatch[1] ?? '';
      if (req.method === 'GET') return send(res, 200, { jsonapi: { version: '1.0' }, data: subscriptionResource(id, current) });
      if (req.method === 'PATCH') {
        const attrs = ((body as { data?: { attributes?: Attributes } } | undefined)?.data?.attributes ?? {}) as Attributes;
        const changes: Attributes = {};
        if (attrs['variant_id'] !== undefined) {
          const v = variants.get(String(attrs['variant_id']));
          if (!v) return send(res, 422, { jsonapi: { version: '1.0' }, errors: [{ detail: 'The variant id is invalid.', status: '422', title: 'Unprocessable Entity' }] });
          Object.assign(changes, { variant_id: Number(v.id), variant_name: v.name, product_id: Number(v.productId), product_name: v.productName });
        }
        if (attrs['cancelled'] === true) Object.assign(changes, { cancelled: true, status: 'cancelled', status_formatted: 'Cancelled', ends_at: current['renews_at'] ?? null });
        if (attrs['cancelled'] === false) Object.assign(changes, { cancelled: false, status: 'active', status_formatted: 'Active', ends_at: null });
        return send(res, 200, { jsonapi: { version: '1.0' }, data: subscriptionResource(id, fake.setSubscription(id, changes)) });
      }
    }
    return notFound(res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { errors: [{ detail: String(err), status: '500' }] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.origin = origin;
  fake.apiUrl = `${origin}/v1`;
  fake.env = { LEMONSQUEEZY_API_KEY: TEST_LS_API_KEY, LEMONSQUEEZY_STORE_ID: TEST_LS_STORE_ID, LEMONSQUEEZY_WEBHOOK_SECRET: secret, LEMONSQUEEZY_API_URL: fake.apiUrl };
  return fake;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A subscription webhook body in the recorded delivery's envelope, with `meta.custom_data` as given. */
export function subscriptionWebhookBody(opts: { eventName: string; id: string; attributes?: Attributes; customData?: Record<string, unknown> | undefined }): string {
  return JSON.stringify({
    data: { id: opts.id, type: 'subscriptions', links: { self: `${LS_HOST}/subscriptions/${opts.id}` }, attributes: { ...subscriptionTemplate(), ...opts.attributes } },
    meta: { test_mode: true, event_name: opts.eventName, webhook_id: randomUUID(), ...(opts.customData ? { custom_data: opts.customData } : {}) },
  });
}

/** A subscription-invoice webhook body in the recorded subscription_payment_success delivery's shape. */
export function invoiceWebhookBody(opts: { eventName: string; id: string; subscriptionId: string; attributes?: Attributes; customData?: Record<string, unknown> }): string {
  return JSON.stringify({
    meta: { test_mode: true, event_name: opts.eventName, webhook_id: randomUUID(), ...(opts.customData ? { custom_data: opts.customData } : {}) },
    data: {
      type: 'subscription-invoices',
      id: opts.id,
      attributes: {
        store_id: Number(TEST_LS_STORE_ID),
        subscription_id: Number(opts.subscriptionId),
        customer_id: 3083767,
        user_name: 'Test Customer',
        user_email: 'customer@example.com',
        billing_reason: 'initial',
        card_brand: 'visa',
        card_last_four: '4242',
        currency: 'USD',
        currency_rate: '1.00000000',
        status: 'paid',
        status_formatted: 'Paid',
        refunded: false,
        refunded_at: null,
        subtotal: 2900,
        discount_total: 0,
        tax: 0,
        tax_inclusive: false,
        total: 2900,
        subtotal_formatted: '$29.00',
        discount_total_formatted: '$0.00',
        tax_formatted: '$0.00',
        total_formatted: '$29.00',
        urls: { invoice_url: `https://app.lemonsqueezy.com/my-orders/${randomUUID()}/subscription-invoice/${opts.id}?signature=${randomBytes(32).toString('hex')}` },
        created_at: lsTime(Date.now()),
        updated_at: lsTime(Date.now()),
        test_mode: true,
        ...opts.attributes,
      },
    },
  });
}

/** Signs `body` (lowercase hex HMAC-SHA256 under the secret) and POSTs it to the server's webhook as Lemon Squeezy does. */
export async function deliverWebhook(server: { url: string }, eventName: string, body: string | Buffer, opts: { secret?: string } = {}): Promise<Response> {
  const signature = createHmac('sha256', opts.secret ?? TEST_LS_SECRET).update(body).digest('hex');
  return fetch(`${server.url}/api/v1/billing/lemonsqueezy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-event-name': eventName, 'x-signature': signature },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

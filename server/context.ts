import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { ownOrigins } from './admin/auth/origins.ts';
import { lazyFork } from './db/lazy-fork.ts';
import { AppError } from './errors.ts';
import { clientIp, presentedKey } from './rest/request.ts';
import type { Services } from './services.ts';

export const SESSION_COOKIE = 'harmonic_session';
/** The customer realm's session cookie (the portal), never read by the admin guard nor the admin cookie by the customer guard. */
export const CUSTOMER_COOKIE = 'harmonic_portal';

/** What the session guards need to know about the browser's request. */
export interface CookieRequest {
  /** The admin session cookie's value, if sent. */
  sessionToken?: string | undefined;
  /** The customer session cookie's value, if sent. */
  customerToken?: string | undefined;
  /** The X-CSRF-Token header. */
  csrfToken?: string | undefined;
  /** The Origin header (browsers send it on every POST). */
  origin?: string | undefined;
  /** Sec-Fetch-Site, where the browser sends it. */
  fetchSite?: string | undefined;
  /** The origins this server calls its own (PUBLIC_URL's and the listen address's), used without ALLOWED_ORIGINS. */
  ownOrigins?: string[] | undefined;
  secure?: boolean;
  userAgent?: string | undefined;
}

export interface ContextOptions {
  em: EntityManager;
  services: Services;
  /** Client IP as Fastify resolved it (honouring TRUST_PROXY). */
  ip: string;
  /** The key presented in `X-API-Key` or `Authorization: Bearer`, if any. */
  apiKeyHeader?: string | undefined;
  /** Why the presented key cannot be read (two different keys); keyed procedures answer with it. */
  apiKeyError?: AppError | undefined;
  cookies?: CookieRequest;
  /** Sets a response header; a no-op when called from tests without HTTP. */
  setHeader?: (name: string, value: string) => void;
  /** Sets (value) or clears (null) the admin session cookie. */
  setSessionCookie?: (token: string | null) => void;
  /** Sets (value) or clears (null) the customer session cookie. */
  setCustomerCookie?: (token: string | null) => void;
}

/** Builds the tRPC context from plain values; tests call this directly. */
export function createContextInner(opts: ContextOptions) {
  return {
    em: opts.em,
    services: opts.services,
    ip: opts.ip,
    apiKeyHeader: opts.apiKeyHeader,
    apiKeyError: opts.apiKeyError,
    cookies: opts.cookies ?? {},
    setHeader: opts.setHeader ?? (() => undefined),
    setSessionCookie: opts.setSessionCookie ?? (() => undefined),
    setCustomerCookie: opts.setCustomerCookie ?? (() => undefined),
  };
}

export type Context = ReturnType<typeof createContextInner>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The per-request context for the HTTP adapter: one forked EntityManager per request, forked when first used. */
export function createContextFactory(services: Services) {
  // The listen address is known from the first request on and never changes.
  let own: string[] | undefined;
  return ({ req, res }: CreateFastifyContextOptions): Context => {
    const secure = req.protocol === 'https';
    own ??= ownOrigins(services.config, req.server.server.address());
    let apiKeyHeader: string | undefined;
    let apiKeyError: AppError | undefined;
    try {
      apiKeyHeader = presentedKey(req.headers);
    } catch (err) {
      // Only keyed procedures care; an admin call with a stray Authorization header still works.
      if (!(err instanceof AppError)) throw err;
      apiKeyError = err;
    }
    return createContextInner({
      em: lazyFork(services.orm.em),
      services,
      ip: clientIp(req),
      apiKeyHeader,
      apiKeyError,
      cookies: {
        sessionToken: req.cookies[SESSION_COOKIE],
        customerToken: req.cookies[CUSTOMER_COOKIE],
        csrfToken: one(req.headers['x-csrf-token']),
        origin: one(req.headers.origin),
        fetchSite: one(req.headers['sec-fetch-site']),
        ownOrigins: own,
        secure,
        userAgent: one(req.headers['user-agent']),
      },
      setHeader: (name, value) => void res.header(name, value),
      setSessionCookie: (token) => setCookie(res, SESSION_COOKIE, token, secure),
      setCustomerCookie: (token) => setCookie(res, CUSTOMER_COOKIE, token, secure),
    });
  };
}

/** A session cookie: httpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over https. */
function setCookie(res: CreateFastifyContextOptions['res'], name: string, token: string | null, secure: boolean): void {
  if (token === null) void res.clearCookie(name, { path: '/' });
  else void res.setCookie(name, token, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}

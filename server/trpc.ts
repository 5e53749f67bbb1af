import { TRPCError, initTRPC, type TRPCDefaultErrorShape } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { adminActor } from './admin/accounts/service.ts';
import { customerActor } from './customers/auth.ts';
import type { Context } from './context.ts';
import { databaseUnavailable, isDatabaseUnavailable } from './db/errors.ts';
import { AppError, ERROR_TABLE, validationError, type ErrorCode, type FieldIssue } from './errors.ts';
import type { Services } from './services.ts';
import { inputDepthIssue, zodIssues } from './validation.ts';

/**
 * tRPC is initialised once, here. Routers under server/routers/ build on the
 * three procedure kinds exported below.
 */
/** Which guard a procedure sits behind; read by the shared guard tests. */
export interface ProcedureMeta {
  auth?: 'public' | 'key' | 'admin' | 'customer';
  /** For admin procedures that only owners may call (managing admin accounts). */
  role?: 'owner';
  /** An admin's own session and password: viewers may change those too. */
  selfService?: true;
}

/**
 * The context as procedures see it: the services bag is opaque, so a procedure
 * can only reach the services its router names with `uses(...)`, and a router's
 * dependencies are visible in one line.
 */
export type ProcedureContext = Omit<Context, 'services'> & { services: object };

/** The whole bag, for the guards below; procedures go through `uses`. */
const allServices = (ctx: ProcedureContext) => ctx.services as Services;

/**
 * tRPC's own failures (no such procedure, unparseable body, wrong method) have
 * no AppError behind them; they still get the app code that matches their tRPC
 * code, so every error a client sees carries one.
 */
const APP_CODE_FOR_TRPC: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  PARSE_ERROR: 'BAD_REQUEST',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** Every tRPC error carries our code (`appCode`) and, for bad input, the failing fields. */
function formatError({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const cause = error.cause;
  const issues: FieldIssue[] | undefined =
    cause instanceof ZodError ? zodIssues(cause) : cause instanceof AppError ? (cause.details?.['issues'] as FieldIssue[] | undefined) : undefined;
  const appCode = cause instanceof AppError ? cause.code : issues ? 'VALIDATION_FAILED' : APP_CODE_FOR_TRPC[error.code];
  const internal = error.code === 'INTERNAL_SERVER_ERROR';
  return {
    ...shape,
    // Internal errors never leak their message or stack to the caller.
    message: internal ? 'Internal server error' : issues ? issues.map((i) => `${i.field || 'input'}: ${i.message}`).join('; ') : shape.message,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      appCode,
      issues,
      details: cause instanceof AppError && !internal ? cause.details : undefined,
    },
  };
}

/** What a failed call's error carries, as clients see it. */
export type ErrorShape = ReturnType<typeof formatError>;

const t = initTRPC.context<ProcedureContext>().meta<ProcedureMeta>().create({ errorFormatter: formatError });

/** A domain failure as the matching tRPC error (see server/errors.ts), its headers set; undefined for anything else. */
function domainError(cause: unknown, ctx: ProcedureContext): TRPCError | undefined {
  const mapped = cause instanceof AppError ? cause : isDatabaseUnavailable(cause) ? databaseUnavailable(cause) : undefined;
  if (!mapped) return undefined;
  for (const [name, value] of Object.entries(mapped.headers ?? {})) ctx.setHeader(name, value);
  return new TRPCError({ code: ERROR_TABLE[mapped.code].trpc, message: mapped.message, cause: mapped });
}

/**
 * Every procedure's first middleware: the same depth bound as REST's parseInput before any input
 * schema runs (see server/validation.ts), then the call, whose AppErrors (and lost-database errors)
 * become the matching tRPC errors. One middleware, not two: each level of tRPC's middleware chain
 * copies the call's options and context several times per call (the typed client's profile).
 */
const guardCall = t.middleware(async ({ ctx, getRawInput, next }) => {
  const deep = inputDepthIssue(await getRawInput());
  if (deep) throw domainError(validationError([deep]), ctx);
  const result = await next();
  if (!result.ok) {
    const mapped = domainError(result.error.cause, ctx);
    if (mapped) throw mapped;
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.meta({ auth: 'public' }).use(guardCall);

/**
 * Narrows `ctx.services` to the named services: `keyedProcedure.use(uses('usage', 'sources'))`.
 * Only the type narrows; the bag itself is passed on, so it costs one level of tRPC's middleware chain per
 * call and no copy of the services.
 */
export function uses<K extends keyof Services>(..._names: K[]) {
  return t.middleware(({ ctx, next }) => next({ ctx: { services: ctx.services as Pick<Services, K> } }));
}

/**
 * Authenticated by the `X-API-Key` (or `Authorization: Bearer`) header; narrows ctx with the verified key.
 * No key or a bad key: UNAUTHORIZED. The key's owner is suspended: FORBIDDEN.
 */
export const keyedProcedure = publicProcedure.meta({ auth: 'key' }).use(async ({ ctx, next }) => {
  if (ctx.apiKeyError) throw ctx.apiKeyError;
  const apiKey = await allServices(ctx).keys.authenticate(ctx.em, ctx.apiKeyHeader, ctx.ip);
  return next({ ctx: { apiKey } });
});

/**
 * Cookie-authenticated requests must come from an allowed origin: the
 * configured ALLOWED_ORIGINS, or else this server's own (server/admin/auth/origins.ts).
 * A request without an Origin header is not from a browser form or script, so it cannot be CSRF.
 */
export function originAllowed(ctx: ProcedureContext): boolean {
  const { origin, fetchSite, ownOrigins } = ctx.cookies;
  if (fetchSite === 'cross-site') return false;
  if (!origin) return true;
  const allowed = allServices(ctx).config.allowedOrigins ?? ownOrigins ?? [];
  return allowed.includes(origin);
}

/**
 * Authenticated by the admin session cookie; an API key never passes this
 * guard. No session, or an expired one: UNAUTHORIZED. Mutations also need the
 * session's CSRF token in X-CSRF-Token, and a role other than viewer; owner-only
 * procedures need an owner. Those failures are FORBIDDEN. The context gains
 * the admin and the actor their changes are audited under.
 */
export const adminProcedure = publicProcedure.meta({ auth: 'admin' }).use(async ({ ctx, next, type, meta }) => {
  const { adminAuth } = allServices(ctx);
  // AppError, like every other failure, so the client's error carries an appCode.
  if (!ctx.cookies.sessionToken) throw new AppError('UNAUTHORIZED', 'Sign in as an admin');
  if (!originAllowed(ctx)) throw new AppError('FORBIDDEN', 'This origin may not use the admin API');
  const admin = await adminAuth.authenticate(ctx.em, ctx.cookies.sessionToken);
  if (!admin) throw new AppError('UNAUTHORIZED', 'Your session has expired; sign in again');
  if (type === 'mutation') {
    if (!adminAuth.csrfMatches(admin, ctx.cookies.csrfToken)) throw new AppError('FORBIDDEN', 'Missing or invalid X-CSRF-Token header');
    if (admin.role === 'viewer' && !meta?.selfService) throw new AppError('FORBIDDEN', 'Viewers can look but not change anything');
  }
  if (meta?.role === 'owner' && admin.role !== 'owner') throw new AppError('FORBIDDEN', 'Only owners can do this');
  return next({ ctx: { admin, actor: adminActor(admin, ctx.ip) } });
});

/** Managing admin accounts: owners only. */
export const ownerProcedure = adminProcedure.meta({ auth: 'admin', role: 'owner' });

/** An admin's own session and password, which every role may manage. */
export const selfServiceProcedure = adminProcedure.meta({ auth: 'admin', selfService: true });

/**
 * Authenticated by the customer session cookie (the portal's realm): an admin session or an API
 * key never passes it, nor does a customer session pass the admin guard. No session, or an
 * expired or ended one: UNAUTHORIZED. Mutations also need the session's CSRF token in
 * X-CSRF-Token (FORBIDDEN). The context gains the customer, whose id every customer procedure
 * takes from here and never from its input, and the actor their changes are audited under.
 */
export const customerProcedure = publicProcedure.meta({ auth: 'customer' }).use(async ({ ctx, next, type }) => {
  const { customerAuth } = allServices(ctx);
  if (!ctx.cookies.customerToken) throw new AppError('UNAUTHORIZED', 'Sign in first');
  if (!originAllowed(ctx)) throw new AppError('FORBIDDEN', 'This origin may not use the portal API');
  const session = await customerAuth.authenticate(ctx.em, ctx.cookies.customerToken);
  if (!session) throw new AppError('UNAUTHORIZED', 'Your session has expired; sign in again');
  if (type === 'mutation' && !customerAuth.csrfMatches(session.identity, ctx.cookies.csrfToken)) {
    throw new AppError('FORBIDDEN', 'Missing or invalid X-CSRF-Token header');
  }
  return next({ ctx: { customer: session.identity, customerUser: session.user, actor: customerActor(session.identity, ctx.ip) } });
});

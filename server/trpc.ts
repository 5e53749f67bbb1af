import { TRPCError, initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.ts';
import { databaseUnavailable, isDatabaseUnavailable } from './db/errors.ts';
import { AppError, ERROR_TABLE, type FieldIssue } from './errors.ts';
import { zodIssues } from './validation.ts';

/**
 * tRPC is initialised once, here. Routers under server/routers/ build on the
 * three procedure kinds exported below.
 */
/** Which guard a procedure sits behind; read by the shared guard tests. */
export interface ProcedureMeta {
  auth?: 'public' | 'key' | 'admin';
  /** For admin procedures that only owners may call (managing admin accounts). */
  role?: 'owner';
  /** An admin's own session and password: viewers may change those too. */
  selfService?: true;
}

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const issues: FieldIssue[] | undefined =
      cause instanceof ZodError ? zodIssues(cause) : cause instanceof AppError ? (cause.details?.['issues'] as FieldIssue[] | undefined) : undefined;
    const appCode = cause instanceof AppError ? cause.code : issues ? 'VALIDATION_FAILED' : undefined;
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
  },
});

/** Services throw AppError; this turns it into the matching tRPC error (see server/errors.ts). */
const mapDomainErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && !(result.error.cause instanceof AppError) && isDatabaseUnavailable(result.error.cause)) {
    const unavailable = databaseUnavailable(result.error.cause);
    for (const [name, value] of Object.entries(unavailable.headers ?? {})) ctx.setHeader(name, value);
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: unavailable.message, cause: unavailable });
  }
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    for (const [name, value] of Object.entries(cause.headers ?? {})) ctx.setHeader(name, value);
    throw new TRPCError({ code: ERROR_TABLE[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.meta({ auth: 'public' }).use(mapDomainErrors);

/**
 * Authenticated by the `X-API-Key` header; narrows ctx with the verified key.
 * No key or a bad key: UNAUTHORIZED. The key's owner is suspended: FORBIDDEN.
 */
export const keyedProcedure = publicProcedure.meta({ auth: 'key' }).use(async ({ ctx, next }) => {
  const apiKey = await ctx.services.keys.authenticate(ctx.em, ctx.apiKeyHeader, ctx.ip);
  return next({ ctx: { apiKey } });
});

/**
 * Cookie-authenticated requests must come from an allowed origin: the
 * configured ALLOWED_ORIGINS, or else this server's own. A request without an
 * Origin header is not from a browser form or script, so it cannot be CSRF.
 */
export function originAllowed(ctx: Context): boolean {
  const { origin, fetchSite, selfOrigin } = ctx.cookies;
  if (fetchSite === 'cross-site') return false;
  if (!origin) return true;
  const allowed = ctx.services.config.allowedOrigins ?? (selfOrigin ? [selfOrigin] : []);
  return allowed.includes(origin);
}

/**
 * Authenticated by the admin session cookie; an API key never passes this
 * guard. No session, or an expired one: UNAUTHORIZED. Mutations also need the
 * session's CSRF token in X-CSRF-Token, and a role other than viewer; owner-only
 * procedures need an owner. Those failures are FORBIDDEN.
 */
export const adminProcedure = publicProcedure.meta({ auth: 'admin' }).use(async ({ ctx, next, type, meta }) => {
  if (!ctx.cookies.sessionToken) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in as an admin' });
  if (!originAllowed(ctx)) throw new TRPCError({ code: 'FORBIDDEN', message: 'This origin may not use the admin API' });
  const admin = await ctx.services.adminAuth.authenticate(ctx.em, ctx.cookies.sessionToken);
  if (!admin) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has expired; sign in again' });
  if (type === 'mutation') {
    if (!ctx.services.adminAuth.csrfMatches(admin, ctx.cookies.csrfToken)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Missing or invalid X-CSRF-Token header' });
    }
    if (admin.role === 'viewer' && !meta?.selfService) throw new TRPCError({ code: 'FORBIDDEN', message: 'Viewers can look but not change anything' });
  }
  if (meta?.role === 'owner' && admin.role !== 'owner') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only owners can do this' });
  return next({ ctx: { admin } });
});

/** Managing admin accounts: owners only. */
export const ownerProcedure = adminProcedure.meta({ auth: 'admin', role: 'owner' });

/** An admin's own session and password, which every role may manage. */
export const selfServiceProcedure = adminProcedure.meta({ auth: 'admin', selfService: true });

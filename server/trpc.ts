import { TRPCError, initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.ts';
import { AppError, ERROR_TABLE, type FieldIssue } from './errors.ts';
import { zodIssues } from './validation.ts';

/**
 * tRPC is initialised once, here. Routers under server/routers/ build on the
 * three procedure kinds exported below.
 */
/** Which guard a procedure sits behind; read by the shared guard tests. */
export interface ProcedureMeta {
  auth?: 'public' | 'key' | 'admin';
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
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    for (const [name, value] of Object.entries(cause.headers ?? {})) ctx.setHeader(name, value);
    throw new TRPCError({ code: ERROR_TABLE[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.meta({ auth: 'public' }).use(mapDomainErrors);

/**
 * Authenticated by the `X-API-Key` header; narrows ctx with the verified key.
 * No key or a bad key: UNAUTHORIZED. The key's owner is suspended: FORBIDDEN.
 */
export const keyedProcedure = publicProcedure.meta({ auth: 'key' }).use(async ({ ctx, next }) => {
  const apiKey = await ctx.services.keys.authenticate(ctx.em, ctx.apiKeyHeader);
  return next({ ctx: { apiKey } });
});

/** Authenticated by an admin session cookie; API keys never pass this guard. */
export const adminProcedure = publicProcedure.meta({ auth: 'admin' }).use(() => {
  throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in as an admin' });
});

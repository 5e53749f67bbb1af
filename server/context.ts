import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { Services } from './services.ts';

export interface ContextOptions {
  em: EntityManager;
  services: Services;
  /** Client IP as Fastify resolved it (honouring TRUST_PROXY). */
  ip: string;
  /** The raw `X-API-Key` header, if any. */
  apiKeyHeader?: string | undefined;
  /** Sets a response header; a no-op when called from tests without HTTP. */
  setHeader?: (name: string, value: string) => void;
}

/** Builds the tRPC context from plain values; tests call this directly. */
export function createContextInner(opts: ContextOptions) {
  return {
    em: opts.em,
    services: opts.services,
    ip: opts.ip,
    apiKeyHeader: opts.apiKeyHeader,
    setHeader: opts.setHeader ?? (() => undefined),
  };
}

export type Context = ReturnType<typeof createContextInner>;

/** The per-request context for the HTTP adapter: one forked EntityManager per request. */
export function createContextFactory(services: Services) {
  return ({ req, res }: CreateFastifyContextOptions): Context => {
    const header = req.headers['x-api-key'];
    return createContextInner({
      em: services.orm.em.fork(),
      services,
      ip: req.ip,
      apiKeyHeader: Array.isArray(header) ? header[0] : header,
      setHeader: (name, value) => void res.header(name, value),
    });
  };
}

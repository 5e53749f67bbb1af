import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteHandlerMethod } from 'fastify';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers 405 to everyone; see server/route-table.ts. */
    methodNotAllowed?: boolean;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
const ALL: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** The order `Allow` lists methods in. */
const CANONICAL = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Registers the handlers of one REST resource and answers every other method
 * with 405 and an `Allow` header (Fastify alone would say 404). OPTIONS, when
 * not given, answers 204 with `Allow`.
 */
export function resource(app: FastifyInstance, url: string, handlers: Partial<Record<Method, RouteHandlerMethod>>): void {
  const allowed = new Set<string>([...Object.keys(handlers), 'OPTIONS']);
  if (handlers.GET) allowed.add('HEAD');
  const allow = CANONICAL.filter((m) => allowed.has(m)).join(', ');

  for (const [method, handler] of Object.entries(handlers) as [Method, RouteHandlerMethod][]) {
    app.route({ method, url, handler });
  }
  if (!handlers.OPTIONS) {
    app.route({ method: 'OPTIONS', url, handler: (_req: FastifyRequest, reply: FastifyReply) => reply.code(204).header('Allow', allow).send() });
  }
  const rest = ALL.filter((m) => !handlers[m] && m !== 'OPTIONS');
  if (rest.length) {
    app.route({
      method: rest as HTTPMethods[],
      url,
      // Declared, so the shared security tests expect a 405 here rather than an auth check.
      config: { methodNotAllowed: true },
      handler: (req: FastifyRequest, reply: FastifyReply) => {
        reply.header('Allow', allow);
        throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url}; allowed: ${allow}`);
      },
    });
  }
}

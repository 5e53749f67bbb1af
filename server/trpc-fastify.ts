import type { AnyRouter, inferRouterContext } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { resolveResponse, type HTTPErrorHandler } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface TrpcRouteOptions<TRouter extends AnyRouter> {
  /** Where the procedures are served, e.g. `/trpc`. */
  prefix: string;
  router: TRouter;
  createContext: (opts: CreateFastifyContextOptions) => inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  onError?: HTTPErrorHandler<TRouter, Request>;
  /** A batch naming more procedures is refused with 400. */
  maxBatchSize?: number;
}

/**
 * tRPC on Fastify: what @trpc/server's own Fastify adapter does (hand the
 * request to `resolveResponse`, send the Response it returns), minus the two
 * costs the typed client's profile showed (docs/benchmarks.md):
 *
 * - the adapter converts every request into a WHATWG `Request` (a `Headers`
 *   copy of every header, a parsed URL, the body re-streamed through a web
 *   ReadableStream only to be read back by `json()`). `resolveResponse` reads
 *   only the method, the URL, two headers, the JSON body and the abort signal,
 *   so it gets exactly those, straight from Fastify's request;
 * - Fastify piped the Response's web stream to the socket chunk by chunk; a
 *   JSON answer is now sent as one buffer with a Content-Length.
 *
 * FormData and binary inputs (which need a real Request) are not used by our
 * routers; their content types get tRPC's UNSUPPORTED_MEDIA_TYPE.
 */
export async function registerTrpc<TRouter extends AnyRouter>(app: FastifyInstance, opts: TrpcRouteOptions<TRouter>): Promise<void> {
  await app.register(
    async (scope) => {
      // tRPC parses the body itself (batches, transformers), so Fastify hands it over as text, as in the adapter.
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

      scope.all('/:path', async (req: FastifyRequest<{ Params: { path: string } }>, reply) => {
        const response = await resolveResponse({
          router: opts.router,
          req: requestView(req, reply),
          path: req.params.path,
          error: null,
          createContext: async ({ info }) => opts.createContext({ req, res: reply, info }),
          onError: opts.onError,
          ...(opts.maxBatchSize === undefined ? {} : { maxBatchSize: opts.maxBatchSize }),
        });
        if (!response.headers.get('content-type')?.startsWith('application/json')) return reply.send(response);
        reply.code(response.status);
        for (const [name, value] of response.headers) reply.header(name, value);
        // The bytes as they are: text() would decode them only for the socket to encode them again. Fastify
        // adds the charset to a string it sends, not to a buffer, so it is named here to keep the header.
        reply.header('content-type', 'application/json; charset=utf-8');
        return reply.send(Buffer.from(await response.arrayBuffer()));
      });
    },
    { prefix: opts.prefix },
  );
}

/** The parts of a fetch `Request` that `resolveResponse` reads for JSON calls, over Fastify's request. */
type RequestView = Pick<Request, 'method' | 'url' | 'json' | 'signal'> & { headers: Pick<Headers, 'get' | 'has'> };

function requestView(req: FastifyRequest, reply: FastifyReply): Request {
  // Aborts the procedure's `signal` when the client goes away before the answer, as the adapter does.
  const aborted = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) aborted.abort();
  });
  const header = (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  const body = req.body;
  const view: RequestView = {
    method: req.method,
    // Only the path and query are read; the host is not ours to trust.
    url: `http://localhost${req.url}`,
    headers: { get: header, has: (name) => header(name) !== null },
    // An empty body is no input (a mutation without arguments), as with the official adapter.
    json: async () => (typeof body === 'string' ? (body.trim() === '' ? undefined : JSON.parse(body)) : body),
    signal: aborted.signal,
  };
  return view as Request;
}

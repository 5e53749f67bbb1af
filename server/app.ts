import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { TRPC_MAX_BATCH } from '../shared/trpc.ts';
import { fastifyTrustProxy } from './client-address.ts';
import { createContextFactory } from './context.ts';
import { databaseUnavailable, isDatabaseUnavailable } from './db/errors.ts';
import { AppError, errorBody, type ErrorCode } from './errors.ts';
import { registerHealthRoutes } from './health.ts';
import { registerMetrics } from './metrics.ts';
import { registerRestRoutes } from './rest/routes.ts';
import { recordRoutes } from './route-table.ts';
import { securityHeaders } from './security-headers.ts';
import { appRouter } from './routers/root.ts';
import type { Services } from './services.ts';
import { registerSpa } from './spa.ts';
import { registerTrpc } from './trpc-fastify.ts';

export interface BuildAppOptions {
  services: Services;
  /** Directory of the built SPA; defaults to dist/client. */
  spaDir?: string;
  /** Called with every response sent, as sent (tests check them against the OpenAPI document). */
  onResponse?: (response: SentResponse) => void;
}

export interface SentResponse {
  method: string;
  /** The route's URL pattern (`/api/v1/keys/:id`); undefined when no route matched. */
  route: string | undefined;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as sent; undefined for a stream or an empty body. */
  body: string | undefined;
}

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Long enough for the longest batch tRPC accepts: TRPC_MAX_BATCH of the longest procedure path, comma-separated. */
function trpcBatchPathLimit(): number {
  const longest = Math.max(...Object.keys(appRouter._def.procedures).map((path) => path.length));
  return TRPC_MAX_BATCH * (longest + 1);
}

/** Builds the HTTP app (tRPC, REST, health, SPA). Used by main.ts and by tests. */
export async function buildApp({ services, spaDir, onResponse }: BuildAppOptions): Promise<FastifyInstance> {
  const { config, logger } = services;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    // A URL that cannot be decoded (e.g. `/api/%E0%A4%A`) is refused before routing.
    frameworkErrors(error, req, res) {
      const reply = res as unknown as FastifyReply;
      const url = JSON.stringify(req.url.slice(0, 200));
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? `A path segment of the URL ${url} is too long (a batched tRPC call carries at most ${TRPC_MAX_BATCH} procedures)`
          : `The URL ${url} is not valid`;
      void reply.code(400).send(errorBody(new AppError('BAD_REQUEST', message)));
    },
    // Requests Node's parser rejects (malformed, oversized headers) never reach a route; answer them
    // in the same JSON shape as every other error.
    clientErrorHandler(err: NodeJS.ErrnoException, socket) {
      if (socket.destroyed || !socket.writable) return;
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify(
        errorBody(new AppError(tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', tooLarge ? 'Request headers are too large' : 'Malformed HTTP request')),
      );
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    // A batched tRPC GET puts every procedure's path in one route parameter (`/trpc/a.b,c.d,…`).
    routerOptions: { maxParamLength: trpcBatchPathLimit() },
  });

  recordRoutes(app);
  // Links in emails default to http://localhost:<port>, and PORT=0 only picks the port here.
  app.addHook('onListen', (done) => {
    const address = app.server.address();
    if (address && typeof address === 'object') services.mail.listening(address.port);
    done();
  });
  // Every hook on the hot path is callback-style: an async hook costs a promise and its resolution per request.
  const staticHeaders = securityHeaders();
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(staticHeaders).header('X-Request-Id', req.id);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    // Below info (the benchmark's LOG_LEVEL=warn) the line's fields are not even built.
    if (logger.isLevelEnabled('info')) {
      const query = req.url.indexOf('?');
      req.log.info(
        { method: req.method, url: query === -1 ? req.url : req.url.slice(0, query), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
    }
    done();
  });

  if (onResponse) observeResponses(app, onResponse);
  await app.register(cookie);

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      return reply
        .code(err.status)
        .headers(err.headers ?? {})
        .send(errorBody(err));
    }
    if (isDatabaseUnavailable(err)) {
      const unavailable = databaseUnavailable(err);
      req.log.warn({ err }, 'database unavailable');
      return reply.code(503).headers(unavailable.headers ?? {}).send(errorBody(unavailable));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      req.log.error({ err }, 'unhandled error');
      return reply.code(500).send(errorBody(new AppError('INTERNAL', 'Internal server error')));
    }
    const message = status === 413 ? `Request body is larger than ${config.bodyLimitBytes} bytes` : err.message;
    return reply.code(status).send(errorBody(new AppError(CODE_FOR_STATUS[status] ?? 'BAD_REQUEST', message)));
  });

  registerHealthRoutes(app, services);
  registerMetrics(app, services.metrics, { token: config.metricsToken, procedures: new Set(Object.keys(appRouter._def.procedures)) });

  await registerTrpc(app, {
    prefix: '/trpc',
    router: appRouter,
    maxBatchSize: TRPC_MAX_BATCH,
    createContext: createContextFactory(services),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
    },
  });

  await app.register((api) => registerRestRoutes(api, services), { prefix: '/api/v1' });

  await registerSpa(app, spaDir);
  return app;
}

/** onSend sees the body but runs before the plugins' own onSend hooks; onResponse sees the final headers. */
function observeResponses(app: FastifyInstance, onResponse: (response: SentResponse) => void): void {
  const bodies = new WeakMap<object, string | undefined>();
  app.addHook('onSend', async (req, _reply, payload) => {
    bodies.set(req, typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const headers = Object.fromEntries(Object.entries(reply.getHeaders()).map(([name, value]) => [name.toLowerCase(), [value].flat().join(', ')]));
    const body = bodies.get(req);
    onResponse({ method: req.method, route: req.routeOptions.url, status: reply.statusCode, headers, body: body === '' ? undefined : body });
  });
}

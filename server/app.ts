import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { createContextFactory } from './context.ts';
import { databaseUnavailable, isDatabaseUnavailable } from './db/errors.ts';
import { AppError, errorBody, type ErrorCode } from './errors.ts';
import { registerHealthRoutes } from './health.ts';
import { registerMetrics } from './metrics.ts';
import { registerRestRoutes } from './rest/routes.ts';
import { appRouter, type AppRouter } from './routers/root.ts';
import type { Services } from './services.ts';
import { registerSpa } from './spa.ts';

export interface BuildAppOptions {
  services: Services;
  /** Directory of the built SPA; defaults to dist/client. */
  spaDir?: string;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Builds the HTTP app (tRPC, REST, health, SPA). Used by main.ts and by tests. */
export async function buildApp({ services, spaDir }: BuildAppOptions): Promise<FastifyInstance> {
  const { config, logger } = services;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Request-Id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, url: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Self-hosters often serve plain http on a LAN address; upgrading would break every asset.
        upgradeInsecureRequests: null,
      },
    },
  });

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
    return reply.code(status).send(errorBody(new AppError(STATUS_CODES[status] ?? 'BAD_REQUEST', message)));
  });

  registerHealthRoutes(app, services);
  registerMetrics(app, services.metrics, { token: config.metricsToken, procedures: new Set(Object.keys(appRouter._def.procedures)) });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: createContextFactory(services),
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
      },
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>);

  await app.register((api) => registerRestRoutes(api, services), { prefix: '/api/v1' });

  await registerSpa(app, spaDir);
  return app;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DATA_LIMITS, dataQuerySchema, SOURCE_NAMES } from '../../shared/data.ts';
import { createKeySchema, keyIdSchema, rotateKeySchema } from '../../shared/keys.ts';
import { trackUsageSchema, usageQuerySchema } from '../../shared/usage.ts';
import { AppError, validationError } from '../errors.ts';
import type { Services } from '../services.ts';
import { Tier } from '../tiers/entity.ts';
import { quotaHeaders } from '../usage/headers.ts';
import type { Subject } from '../usage/service.ts';
import { parseInput } from '../validation.ts';
import { registerCors } from './cors.ts';
import { registerManagementRoutes } from './management.ts';
import { registerOpenApi } from './openapi.ts';
import { resolvePrincipal } from './principal.ts';
import { clientGone, clientIp, presentedKey, requestStart } from './request.ts';
import { resource } from './resource.ts';

/**
 * The REST adapter for callers who don't use TypeScript. Handlers stay thin:
 * authenticate, validate with the shared zod schemas, call the same services
 * as the tRPC router, set headers.
 */
export async function registerRestRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { keys, usage, sources, orm } = services;
  const em = () => orm.em.fork();

  const authenticate = (req: FastifyRequest) => keys.authenticate(em(), presentedKey(req.headers), clientIp(req));

  /** Who a metered read is charged to: the key's user, or (without a key) the demo quota of the client's address. */
  const keyOrDemo = async (req: FastifyRequest, fork: EntityManager): Promise<Subject> => {
    const presented = presentedKey(req.headers);
    // A request that sends a key, even an empty or bad one, never falls back to demo mode.
    if (presented !== undefined) return { kind: 'key', key: await keys.authenticate(fork, presented, clientIp(req)) };
    if (usage.demoEnabled) return { kind: 'demo', clientIp: clientIp(req) };
    throw new AppError('UNAUTHORIZED', 'Missing X-API-Key (or Authorization: Bearer) header; demo mode is off');
  };

  await registerCors(app, services.config.corsOrigins);

  /** Where callers reach this server, for the examples we hand out. */
  const publicUrl = () => {
    const address = app.server.address();
    return services.config.publicUrl ?? `http://localhost:${typeof address === 'object' && address ? address.port : services.config.port}`;
  };

  // JSON only: without this, Fastify would hand a text/plain body to the handlers as a string.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (_req, reply) => {
    reply.header('X-Response-Time', `${reply.elapsedTime.toFixed(1)}ms`);
  });

  resource(app, '/data', {
    GET: async () => ({
      status: 'ok',
      sources: sources.describeSources(),
      limits: DATA_LIMITS,
      demo: { enabled: usage.demoEnabled },
      docs: '/api/v1/docs',
      openapi: '/api/v1/openapi.json',
    }),

    POST: async (req, reply) => {
      const startedAt = requestStart(reply);
      const fork = em();
      const subject = await keyOrDemo(req, fork);
      const query = parseInput(dataQuerySchema, req.body);
      const { result, admission } = await usage.meter(
        fork,
        subject,
        { endpoint: '/api/v1/data', method: 'POST', sources: query.sources, startedAt },
        () => sources.answer(query, { signal: clientGone(reply) }),
      );
      services.metrics.observeAnswer(result);
      return reply.headers(quotaHeaders(admission)).send(result);
    },

    OPTIONS: async (_req, reply) => {
      const tiers = await em().getRepository(Tier).findAll({ orderBy: { monthlyQuota: 'asc' } });
      return reply.header('Allow', 'GET, HEAD, POST, OPTIONS').send({
        authentication: {
          header: 'X-API-Key',
          alternative: 'Authorization: Bearer hm_…',
          format: 'hm_ followed by 32 characters from A-Z, a-z, 0-9',
          demo: usage.demoEnabled
            ? 'Without X-API-Key, calls are served in demo mode with a small monthly quota per client IP (X-Demo-Mode: true).'
            : 'Demo mode is off: every call needs X-API-Key.',
        },
        quotas: {
          period: 'calendar month, UTC',
          tiers: tiers.map((t) => ({ name: t.name, monthlyQuota: t.monthlyQuota ?? 'unlimited', priceCents: t.priceCents })),
          overQuota: '429 with Retry-After (seconds until the next period) and a JSON body naming limit, used and resetAt',
          headers: ['X-RateLimit-Limit', 'X-RateLimit-Used', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'RateLimit-Policy', 'RateLimit'],
        },
        request: { method: 'POST', body: { query: 'string, 1-500 characters', sources: `one of or a list of: ${SOURCE_NAMES.join(', ')}`, limit: '1-20 results per source, default 5' } },
        examples: [
          `curl -X POST ${publicUrl()}/api/v1/data -H 'X-API-Key: hm_…' -H 'Content-Type: application/json' -d '{"query":"rate limiting","sources":["kb","wiki"]}'`,
          `curl -X POST ${publicUrl()}/api/v1/data -H 'Content-Type: application/json' -d '{"query":"weather in London","sources":"weather"}'`,
        ],
        docs: '/api/v1/docs',
        openapi: '/api/v1/openapi.json',
      });
    },
  });

  // The page behind every knowledge-base item's `url`: the whole entry, metered like a data call.
  resource(app, '/kb/:id', {
    GET: async (req, reply) => {
      const startedAt = requestStart(reply);
      const fork = em();
      const subject = await keyOrDemo(req, fork);
      const { id } = parseInput(keyIdSchema, req.params);
      const entry = await services.kb.get(fork, id);
      const { result, admission } = await usage.meter(
        fork,
        subject,
        { endpoint: '/api/v1/kb/:id', method: 'GET', sources: ['kb'], startedAt },
        async () => ({ id: entry.id, title: entry.title, body: entry.body, tags: entry.tags, updatedAt: entry.updatedAt }),
      );
      return reply.headers(quotaHeaders(admission)).send(result);
    },
  });

  resource(app, '/usage', {
    GET: async (req) => {
      const { principal, input } = await resolvePrincipal(services, req, { scope: 'usage:read', input: req.query });
      const q = parseInput(usageQuerySchema, input);
      return q.action === 'current' ? usage.current(em(), principal.userId) : usage.analytics(em(), principal.userId, q.days);
    },
  });

  resource(app, '/usage/track', {
    POST: async (req, reply) => {
      const key = await authenticate(req);
      const input = parseInput(trackUsageSchema, req.body);
      const { admission } = await usage.meter(
        em(),
        { kind: 'key', key },
        { endpoint: input.endpoint, method: 'TRACK', sources: input.source ? [input.source] : [], units: input.units, startedAt: requestStart(reply) },
        async () => undefined,
      );
      return reply
        .code(201)
        .headers(quotaHeaders(admission))
        .send({ recorded: true, units: input.units, used: admission.used, limit: admission.limit, remaining: admission.remaining, resetAt: admission.resetAt.toISOString() });
    },
  });

  const keyParams = (req: FastifyRequest) => parseInput(keyIdSchema, req.params);

  // An API key manages its own user's keys; a management key, those of the user named by `userId`.
  resource(app, '/keys', {
    GET: async (req) => {
      const { principal } = await resolvePrincipal(services, req, { scope: 'users:read', input: req.query });
      return { keys: await keys.list(em(), principal.userId) };
    },
    POST: async (req, reply: FastifyReply) => {
      const { principal, input: body } = await resolvePrincipal(services, req, { scope: 'keys:write', input: req.body });
      const input = parseInput(createKeySchema, body);
      const created = await keys.create(em(), {
        userId: principal.userId,
        name: input.name,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
        metadata: input.metadata,
        actor: principal.actor,
      });
      return reply.code(201).header('Cache-Control', 'no-store').send(created);
    },
  });

  resource(app, '/keys/:id', {
    DELETE: async (req) => {
      const { principal } = await resolvePrincipal(services, req, { scope: 'keys:write', input: req.query });
      const { id } = keyParams(req);
      return keys.revoke(em(), { keyId: id, ownerId: principal.userId, actor: principal.actor });
    },
  });

  resource(app, '/keys/:id/rotate', {
    POST: async (req, reply) => {
      const { principal, input: body } = await resolvePrincipal(services, req, { scope: 'keys:write', input: req.body });
      const { id } = keyParams(req);
      if (body !== undefined && !isObject(body)) throw validationError([{ field: '', message: 'body must be a JSON object' }]);
      const input = parseInput(rotateKeySchema, { ...(body ?? {}), id });
      const rotated = await keys.rotate(em(), { keyId: input.id, ownerId: principal.userId, gracePeriodSeconds: input.gracePeriodSeconds, actor: principal.actor });
      return reply.code(201).header('Cache-Control', 'no-store').send(rotated);
    },
  });

  registerManagementRoutes(app, services);

  await registerOpenApi(app);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dataAnswerSchema, dataQuerySchema } from '../../shared/data.ts';
import { createdKeySchema, createKeySchema, keyIdSchema, keySummarySchema, rotatedKeySchema, rotateKeySchema } from '../../shared/keys.ts';
import { quotaStateSchema, trackedUsageSchema, trackUsageSchema, usageAnalyticsSchema, usageQuerySchema } from '../../shared/usage.ts';
import { fetchData, trackUsage } from '../metered.ts';
import type { Services } from '../services.ts';
import { quotaHeaders as admissionHeaders } from '../usage/admission/headers.ts';
import { registerBillingRoutes } from './billing.ts';
import { registerCors } from './cors.ts';
import { apiGuide, apiGuideSchema, serviceStatus, serviceStatusSchema } from './guide.ts';
import { registerManagementRoutes } from './management.ts';
import { registerOpenApi } from './openapi.ts';
import { clientGone, requestStart } from './request.ts';
import { errorResponse, quotaExceeded, quotaHeaders, restApi } from './route.ts';

/**
 * The REST adapter for callers who don't use TypeScript. Every route is one
 * declaration (server/rest/route.ts): schemas, responses and auth, from which
 * Fastify validates and the OpenAPI document is built. Handlers stay thin and
 * call the same functions as the tRPC procedures.
 */
export async function registerRestRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { keys, usage, reporting } = services;
  const api = restApi(app, services);
  const { route } = api;

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

  route({
    method: 'GET',
    url: '/data',
    operationId: 'getStatus',
    summary: 'Service status and available sources',
    auth: 'public',
    responses: { 200: { description: 'Status', schema: serviceStatusSchema } },
    handler: async () => serviceStatus(services),
  });

  route({
    method: 'POST',
    url: '/data',
    operationId: 'queryData',
    summary: 'Answer a query from the chosen sources',
    description: 'Without a key the call is served in demo mode (a small monthly quota per client IP, `X-Demo-Mode: true`).',
    auth: 'keyOrDemo',
    body: dataQuerySchema,
    responses: { 200: { description: 'Per-source results and the fused list', schema: dataAnswerSchema, headers: quotaHeaders }, 429: quotaExceeded },
    handler: async ({ em, subject, body, reply }) => {
      const { answer, headers } = await fetchData(services, em, subject, body, { endpoint: '/api/v1/data', startedAt: requestStart(reply), signal: clientGone(reply) });
      reply.headers(headers);
      return answer;
    },
  });

  route({
    method: 'OPTIONS',
    url: '/data',
    operationId: 'getGuide',
    summary: 'How to authenticate, the quotas, and examples',
    auth: 'public',
    responses: {
      200: { description: 'Usage notes', schema: apiGuideSchema, headers: z.object({ Allow: z.string().meta({ example: 'GET, HEAD, POST, OPTIONS' }) }) },
      503: errorResponse('The database is unavailable (the tiers are read from it)'),
    },
    handler: async ({ em }) => apiGuide(services, em, publicUrl()),
  });

  // The page behind every knowledge-base item's `url`: the whole entry, metered like a data call.
  route({
    method: 'GET',
    url: '/kb/:id',
    operationId: 'getKbEntry',
    summary: 'A whole knowledge-base entry (the `url` of every kb item); metered like a data call',
    auth: 'keyOrDemo',
    params: keyIdSchema,
    responses: {
      200: {
        description: 'The entry',
        schema: z
          .object({ id: z.uuid(), title: z.string(), body: z.string().meta({ description: 'Markdown' }), tags: z.array(z.string()), updatedAt: z.iso.datetime() })
          .meta({ id: 'KbEntry' }),
        headers: quotaHeaders,
      },
      404: errorResponse('No such entry'),
      429: quotaExceeded,
    },
    handler: async ({ em, subject, params, reply }) => {
      const startedAt = requestStart(reply);
      const entry = await services.kb.get(em, params.id);
      const { result, admission } = await usage.meter(em, subject, { endpoint: '/api/v1/kb/:id', method: 'GET', sources: ['kb'], startedAt }, async () => ({
        id: entry.id,
        title: entry.title,
        body: entry.body,
        tags: entry.tags,
        updatedAt: entry.updatedAt,
      }));
      reply.headers(admissionHeaders(admission));
      return result;
    },
  });

  route({
    method: 'GET',
    url: '/usage',
    operationId: 'getUsage',
    summary: "The caller's usage (or, with a management key, `userId`'s): this period, or daily analytics",
    auth: { actingFor: 'usage:read' },
    querystring: usageQuerySchema,
    responses: { 200: { description: 'QuotaState for action=current, UsageAnalytics for action=analytics', schema: z.union([quotaStateSchema, usageAnalyticsSchema]) }, 404: errorResponse('No such user (`userId`)') },
    handler: async ({ em, principal, query }) => (query.action === 'current' ? usage.current(em, principal.userId) : reporting.analytics(em, principal.userId, query.days)),
  });

  route({
    method: 'POST',
    url: '/usage/track',
    operationId: 'trackUsage',
    summary: 'Record work done elsewhere; counted against the quota like a call',
    auth: 'key',
    body: trackUsageSchema,
    responses: { 201: { description: 'Recorded', schema: trackedUsageSchema, headers: quotaHeaders }, 429: quotaExceeded },
    handler: async ({ em, key, body, reply }) => {
      const { answer, headers } = await trackUsage(services, em, key, body, requestStart(reply));
      reply.headers(headers);
      return answer;
    },
  });

  const noStore = z.object({ 'Cache-Control': z.literal('no-store').meta({ description: 'The key is shown once; never cache it' }) });

  route({
    method: 'GET',
    url: '/keys',
    operationId: 'listKeys',
    summary: "The caller's user's keys (or, with a management key, `userId`'s), masked",
    auth: { actingFor: 'users:read' },
    responses: { 200: { description: 'Keys', schema: z.object({ keys: z.array(keySummarySchema) }) }, 404: errorResponse('No such user (`userId`)') },
    handler: async ({ em, principal }) => ({ keys: await keys.list(em, principal.userId) }),
  });

  route({
    method: 'POST',
    url: '/keys',
    operationId: 'createKey',
    summary: 'Create a key for the caller’s user (or, with a management key, for `userId`); the key is shown once',
    auth: { actingFor: 'keys:write' },
    body: createKeySchema,
    responses: { 201: { description: 'The new key, shown once', schema: createdKeySchema, headers: noStore }, 404: errorResponse('No such user (`userId`)') },
    handler: async ({ em, principal, body, reply }) => {
      const created = await keys.create(em, {
        userId: principal.userId,
        name: body.name,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
        metadata: body.metadata,
        actor: principal.actor,
      });
      reply.header('Cache-Control', 'no-store');
      return created;
    },
  });

  route({
    method: 'DELETE',
    url: '/keys/:id',
    operationId: 'revokeKey',
    summary: 'Revoke a key, at once, everywhere',
    auth: { actingFor: 'keys:write' },
    params: keyIdSchema,
    responses: { 200: { description: 'The revoked key', schema: keySummarySchema }, 404: errorResponse('No such key of yours (or of `userId`), or no such user') },
    handler: async ({ em, principal, params }) => keys.revoke(em, { keyId: params.id, ownerId: principal.userId, actor: principal.actor }),
  });

  route({
    method: 'POST',
    url: '/keys/:id/rotate',
    operationId: 'rotateKey',
    summary: 'Replace a key; the old one stops at once or after a grace period (at most 24 h)',
    auth: { actingFor: 'keys:write' },
    params: keyIdSchema,
    body: rotateKeySchema.omit({ id: true }),
    bodyOptional: true,
    responses: {
      201: { description: 'The new key (shown once) and the old one', schema: rotatedKeySchema, headers: noStore },
      404: errorResponse('No such key of yours (or of `userId`), or no such user'),
      409: errorResponse('The key is revoked, expired or already rotated (rotate its replacement)'),
    },
    handler: async ({ em, principal, params, body, reply }) => {
      const rotated = await keys.rotate(em, { keyId: params.id, ownerId: principal.userId, gracePeriodSeconds: body.gracePeriodSeconds, actor: principal.actor });
      reply.header('Cache-Control', 'no-store');
      return rotated;
    },
  });

  registerManagementRoutes(route, services);
  registerBillingRoutes(route, services);

  api.seal();
  await registerOpenApi(app, api);
}

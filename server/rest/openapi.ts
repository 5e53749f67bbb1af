import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createDocument, type ZodOpenApiResponseObject } from 'zod-openapi';
import { dataAnswerSchema, dataQuerySchema, SOURCE_NAMES } from '../../shared/data.ts';
import { createKeySchema, createdKeySchema, keySummarySchema, rotatedKeySchema, rotateKeySchema } from '../../shared/keys.ts';
import {
  actingForSchema,
  restCreateUserSchema,
  restListUsersSchema,
  restTierSchema,
  restUpdateUserSchema,
  restUserListSchema,
  restUserSchema,
  type ManagementScope,
} from '../../shared/management.ts';
import { quotaStateSchema, trackedUsageSchema, trackUsageSchema, usageAnalyticsSchema, usageQuerySchema } from '../../shared/usage.ts';

const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string().meta({ example: 'query: must not be empty' }),
      issues: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: 'For 400: each failing field' }),
    }),
  })
  .meta({ id: 'Error' });

const header = (description: string, example: string) => z.string().meta({ description, example });
const rateLimitHeaders = z.object({
  'X-RateLimit-Limit': header('Monthly quota, or "unlimited"', '1000'),
  'X-RateLimit-Used': header('Calls counted this period', '42'),
  'X-RateLimit-Remaining': header('Calls left this period, or "unlimited"', '958'),
  'X-RateLimit-Reset': header('ISO 8601 start of the next period', '2026-12-01T00:00:00.000Z'),
  'X-User-Id': header('The user the call is charged to, or "demo"', '5b0c…'),
  'X-Response-Time': header('Server time spent, in ms', '12.3ms'),
  'RateLimit-Policy': header('IETF draft-ietf-httpapi-ratelimit-headers policy', '"monthly";q=1000;w=2592000'),
  RateLimit: header('IETF draft-ietf-httpapi-ratelimit-headers state', '"monthly";r=958;t=604800'),
});

const json = (schema: z.ZodType, description: string, headers?: z.ZodObject): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

const errors = {
  400: json(errorSchema, 'Bad input; `issues` names each failing field'),
  401: json(errorSchema, 'Missing or invalid API key (one answer for every kind of bad key)'),
  403: json(errorSchema, 'The key belongs to a suspended user'),
};

const keyed: Record<string, string[]>[] = [{ ApiKey: [] }, { BearerKey: [] }];

/** A management key with `scope` (listed as the requirement's roles, as OpenAPI 3.1 allows for non-OAuth schemes). */
const managed = (scope: ManagementScope): Record<string, string[]>[] => [{ ManagementKey: [scope] }, { ManagementBearer: [scope] }];

/** Routes both kinds of key call: an API key acts for its own user, a management key for `userId`. */
const keyedOrManaged = (scope: ManagementScope) => [...keyed, ...managed(scope)];

const userIdField = actingForSchema.shape.userId.meta({
  description: 'With a management key (required): the id or email of the user to act for. With an API key: leave it out (400 otherwise).',
  example: 'user123',
});
const actingFor = z.object({ userId: userIdField.optional() });

const managementErrors = {
  400: json(errorSchema, 'Bad input; `issues` names each failing field'),
  401: json(errorSchema, 'Missing or invalid management key (one answer for every kind of bad key, revoked included)'),
  403: json(errorSchema, 'An API key instead of a management key, or a management key without the scope this route needs'),
};
const userPath = { path: z.object({ id: userIdField.meta({ description: 'The user: id or email' }) }) };

export function openApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Harmonic API',
      version: '1.0.0',
      description:
        'Query several sources with one call, metered against your monthly quota. Authenticate with the `X-API-Key` header (or `Authorization: Bearer`). ' +
        'Every metered response carries the rate-limit headers; past the quota you get 429 with `Retry-After`.',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        BearerKey: { type: 'http', scheme: 'bearer', description: 'The same hm_… key as `Authorization: Bearer hm_…`' },
        ManagementKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description:
            'A management key (`hmm_…`), created by an owner in the admin app or with `harmonic admin keys create --scopes …`. It acts on any user within its scopes ' +
            '(users:read, users:write, keys:write, usage:read, tiers:read); never accepted where only an API key is, nor the reverse.',
        },
        ManagementBearer: { type: 'http', scheme: 'bearer', description: 'The same hmm_… management key as `Authorization: Bearer hmm_…`' },
      },
    },
    paths: {
      '/data': {
        post: {
          summary: 'Answer a query from the chosen sources',
          description: 'Without a key the call is served in demo mode (a small monthly quota per client IP, `X-Demo-Mode: true`).',
          security: [...keyed, {}],
          requestBody: { content: { 'application/json': { schema: dataQuerySchema } } },
          responses: {
            200: json(dataAnswerSchema, 'Per-source results and the fused list', rateLimitHeaders),
            ...errors,
            413: json(errorSchema, 'Body too large'),
            415: json(errorSchema, 'Body is not JSON'),
            429: json(errorSchema, 'Monthly quota exceeded; see Retry-After', rateLimitHeaders.extend({ 'Retry-After': header('Seconds until the quota resets', '604800') })),
          },
        },
        get: {
          summary: 'Service status and available sources',
          responses: {
            200: json(
              z.object({
                status: z.string(),
                sources: z.array(
                  z.object({
                    name: z.enum(SOURCE_NAMES),
                    enabled: z.boolean(),
                    upstreams: z.array(z.string()),
                    timeoutMs: z.int(),
                    cacheTtlSeconds: z.int(),
                    skippedUntil: z.string().nullable().meta({ description: 'While an upstream asked us to back off' }),
                  }),
                ),
              }),
              'Status',
            ),
          },
        },
        options: { summary: 'How to authenticate, the quotas, and examples', responses: { 200: json(z.object({}).passthrough(), 'Usage notes') } },
      },
      '/kb/{id}': {
        get: {
          summary: 'A whole knowledge-base entry (the `url` of every kb item); metered like a data call',
          security: [...keyed, {}],
          requestParams: { path: z.object({ id: z.uuid() }) },
          responses: {
            200: json(
              z.object({ id: z.uuid(), title: z.string(), body: z.string().meta({ description: 'Markdown' }), tags: z.array(z.string()), updatedAt: z.iso.datetime() }),
              'The entry',
              rateLimitHeaders,
            ),
            ...errors,
            404: json(errorSchema, 'No such entry'),
            429: json(errorSchema, 'Monthly quota exceeded'),
          },
        },
      },
      '/usage': {
        get: {
          summary: "The caller's usage (or, with a management key, `userId`'s): this period, or daily analytics",
          security: keyedOrManaged('usage:read'),
          requestParams: { query: usageQuerySchema.extend(actingFor.shape) },
          responses: { 200: json(z.union([quotaStateSchema, usageAnalyticsSchema]), 'QuotaState for action=current, UsageAnalytics for action=analytics'), ...errors },
        },
      },
      '/usage/track': {
        post: {
          summary: 'Record work done elsewhere; counted against the quota like a call',
          security: keyed,
          requestBody: { content: { 'application/json': { schema: trackUsageSchema } } },
          responses: { 201: json(trackedUsageSchema, 'Recorded', rateLimitHeaders), ...errors, 429: json(errorSchema, 'Monthly quota exceeded') },
        },
      },
      '/keys': {
        get: {
          summary: "The caller's user's keys (or, with a management key, `userId`'s), masked",
          security: keyedOrManaged('users:read'),
          requestParams: { query: actingFor },
          responses: { 200: json(z.object({ keys: z.array(keySummarySchema) }), 'Keys'), ...errors },
        },
        post: {
          summary: 'Create a key for the caller’s user (or, with a management key, for `userId`); the key is shown once',
          security: keyedOrManaged('keys:write'),
          requestBody: { content: { 'application/json': { schema: createKeySchema.extend(actingFor.shape) } } },
          responses: { 201: json(createdKeySchema, 'The new key, shown once'), ...errors },
        },
      },
      '/keys/{id}': {
        delete: {
          summary: 'Revoke a key, at once, everywhere',
          security: keyedOrManaged('keys:write'),
          requestParams: { path: z.object({ id: z.uuid() }), query: actingFor },
          responses: { 200: json(keySummarySchema, 'The revoked key'), ...errors, 404: json(errorSchema, 'No such key of yours') },
        },
      },
      '/keys/{id}/rotate': {
        post: {
          summary: 'Replace a key; the old one stops at once or after a grace period (at most 24 h)',
          security: keyedOrManaged('keys:write'),
          requestParams: { path: z.object({ id: z.uuid() }) },
          requestBody: { content: { 'application/json': { schema: rotateKeySchema.omit({ id: true }).extend(actingFor.shape) } } },
          responses: { 201: json(rotatedKeySchema, 'The new key (shown once) and the old one'), ...errors, 404: json(errorSchema, 'No such key of yours'), 409: json(errorSchema, 'The key is revoked, expired or already rotated (rotate its replacement)') },
        },
      },
      '/users': {
        get: {
          summary: 'Users, newest first, filtered and a page at a time (management keys only)',
          security: managed('users:read'),
          requestParams: { query: restListUsersSchema },
          responses: { 200: json(restUserListSchema, 'A page of users'), ...managementErrors },
        },
        post: {
          summary: 'Create a user (tier by name; omitted means the default tier)',
          security: managed('users:write'),
          requestBody: { content: { 'application/json': { schema: restCreateUserSchema } } },
          responses: { 201: json(restUserSchema, 'The new user'), ...managementErrors, 409: json(errorSchema, 'A user with this email exists') },
        },
      },
      '/users/{id}': {
        get: {
          summary: 'A user, by id or email',
          security: managed('users:read'),
          requestParams: userPath,
          responses: { 200: json(restUserSchema, 'The user'), ...managementErrors, 404: json(errorSchema, 'No such user') },
        },
        patch: {
          summary: "Change a user's tier; the new quota applies from their next request, on every instance",
          security: managed('users:write'),
          requestParams: userPath,
          requestBody: { content: { 'application/json': { schema: restUpdateUserSchema } } },
          responses: { 200: json(restUserSchema, 'The user'), ...managementErrors, 404: json(errorSchema, 'No such user') },
        },
      },
      '/users/{id}/suspend': {
        post: {
          summary: "Suspend a user: their keys get 403 from their next request, on every instance",
          security: managed('users:write'),
          requestParams: userPath,
          responses: { 200: json(restUserSchema, 'The user'), ...managementErrors, 404: json(errorSchema, 'No such user') },
        },
      },
      '/users/{id}/reactivate': {
        post: {
          summary: 'Reactivate a suspended user',
          security: managed('users:write'),
          requestParams: userPath,
          responses: { 200: json(restUserSchema, 'The user'), ...managementErrors, 404: json(errorSchema, 'No such user') },
        },
      },
      '/tiers': {
        get: {
          summary: 'The tiers and their quotas',
          security: managed('tiers:read'),
          responses: { 200: json(z.object({ tiers: z.array(restTierSchema) }), 'Tiers'), ...managementErrors },
        },
      },
    },
  });
}

/** `/api/v1/openapi.json` and an interactive reference at `/api/v1/docs`, all served locally. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const document = openApiDocument();
  app.get('/openapi.json', async () => document);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Without it, /api/v1/docs (no trailing slash) links its assets under /docs/static/, outside our prefix.
    indexPrefix: app.prefix,
    // The plugin's own CSP would allow any https: style or font and forbid the inline styles
    // Swagger UI sets; this one allows this server only, like the admin app's.
    staticCSP: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'connect-src': ["'self'"],
      'font-src': ["'self'", 'data:'],
      'frame-ancestors': ["'none'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
    },
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
}

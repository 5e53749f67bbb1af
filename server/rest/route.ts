import { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import { z, type ZodType } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { actingForSchema, managementScopeSchema, type ManagementScope } from '../../shared/management.ts';
import type { Actor } from '../audit/service.ts';
import { lazyFork } from '../db/lazy-fork.ts';
import { AppError } from '../errors.ts';
import type { VerifiedKey } from '../keys/cache.ts';
import type { Services } from '../services.ts';
import type { Subject } from '../usage/service.ts';
import { parseInput } from '../validation.ts';
import type { VerifiedManagementKey } from '../management/service.ts';
import { requireManagementKey, resolvePrincipal, type Principal } from './principal.ts';
import { clientIp, presentedKey } from './request.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers 405 to everyone; see server/route-table.ts. */
    methodNotAllowed?: boolean;
    /** The operation this route implements in the OpenAPI document. */
    operationId?: string;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
const ALL: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** The order `Allow` lists methods in. */
const CANONICAL = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Who may call a route: `key` needs an API key; `keyOrDemo` is charged to the key when one is
 * sent and to the client's demo quota otherwise; `public` needs nothing. `{ actingFor: scope }`
 * takes an API key (acting for its own user) or a management key with that scope, acting for the
 * user named by `userId` in the query (GET, DELETE) or the body; `{ management: scope }` takes only
 * a management key with that scope (server/rest/principal.ts).
 */
export type Auth = 'key' | 'keyOrDemo' | 'public' | { actingFor: ManagementScope } | { management: ManagementScope };

export interface ResponseDeclaration {
  description: string;
  /** The JSON body; none for a response without one (204). */
  schema?: ZodType;
  /** Response headers; an optional member is a header that is sometimes absent. */
  headers?: z.ZodObject;
}

type Caller<A extends Auth> = A extends 'key'
  ? { key: VerifiedKey }
  : A extends 'keyOrDemo'
    ? { subject: Subject }
    : A extends { actingFor: ManagementScope }
      ? { principal: Principal }
      : A extends { management: ManagementScope }
        ? { management: { key: VerifiedManagementKey; actor: Actor } }
        : object;
type Output<S> = S extends ZodType ? z.output<S> : undefined;

export type HandlerContext<A extends Auth, B, Q, P> = Caller<A> & {
  req: FastifyRequest;
  reply: FastifyReply;
  /** The fork of the EntityManager the caller was authenticated on; use it for the whole request. */
  em: EntityManager;
  body: Output<B>;
  query: Output<Q>;
  params: Output<P>;
  /** The body's bytes as received, for a route declared with `rawBody`; empty otherwise. */
  rawBody: Buffer;
};

export interface RouteDeclaration<A extends Auth = Auth, B extends ZodType | undefined = ZodType | undefined, Q extends ZodType | undefined = ZodType | undefined, P extends ZodType | undefined = ZodType | undefined> {
  method: Method;
  /** Fastify syntax, relative to /api/v1: `/keys/:id`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  auth: A;
  body?: B;
  /** The body may be left out entirely; it is then validated as `{}`. */
  bodyOptional?: boolean;
  /**
   * The route needs the body's exact bytes (a signature over them, as webhooks
   * send): they are read before parsing, up to the route's own `limitBytes`
   * (413 past it), and handed to `check`, which may refuse the request (throw an
   * AppError) before the body is parsed or judged; the handler gets them as `rawBody`.
   */
  rawBody?: { limitBytes: number; check: (req: FastifyRequest, raw: Buffer) => void };
  querystring?: Q;
  params?: P;
  /**
   * Every status the handler itself answers, with its body and headers. The ones every route of its
   * kind can answer (400 for bad input, 401/403 for keys, 413/415 for bodies, 503) are added for it.
   */
  responses: Record<number, ResponseDeclaration>;
  /** Answers the body of the route's first 2xx status, unless it sets another with `reply.code`. */
  handler: (ctx: HandlerContext<A, B, Q, P>) => Promise<unknown>;
}

// ----- the shapes every route shares -----

const issueSchema = z.object({ field: z.string().meta({ description: 'Dotted path of the field; empty for the body as a whole' }), message: z.string() });

/** Every error body. Which optional members appear depends on the code; no other member ever does. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string().meta({ example: 'query: must not be empty' }),
      issues: z.array(issueSchema).optional().meta({ description: 'VALIDATION_FAILED: each failing field' }),
      headers: z.array(z.string()).optional().meta({ description: 'BAD_REQUEST about headers: the headers at fault' }),
      retryAfterSeconds: z.int().optional().meta({ description: 'QUOTA_EXCEEDED and RATE_LIMITED: seconds until a retry can succeed, as in Retry-After' }),
      replacedById: z.uuid().optional().meta({ description: 'CONFLICT on rotating a rotated key: the key that replaced it' }),
      requiredScope: managementScopeSchema.optional().meta({ description: 'FORBIDDEN for a management key without the scope, or an API key where a management key is needed: the scope the route needs' }),
    }),
  })
  .meta({ id: 'Error' });

/** The 429 body of a metered call: the error, with the numbers of the quota that was exceeded. */
export const quotaExceededSchema = z
  .object({
    error: errorSchema.shape.error.extend({
      code: z.literal('QUOTA_EXCEEDED'),
      limit: z.int().nullable(),
      used: z.int(),
      remaining: z.int(),
      resetAt: z.iso.datetime(),
      retryAfterSeconds: z.int(),
    }),
  })
  .meta({ id: 'QuotaExceeded' });

const header = (description: string, example: string) => z.string().meta({ description, example });

/** On every /api/v1 response. */
const commonHeaders = z.object({
  'X-Request-Id': header('This request’s id, as logged', '3f1c2a7e-…'),
  'X-Response-Time': header('Server time spent, in ms', '12.3ms'),
});

/** On every metered answer, success or 429 (server/usage/admission/headers.ts). */
export const quotaHeaders = z.object({
  'X-RateLimit-Limit': header('Monthly quota, or "unlimited"', '1000'),
  'X-RateLimit-Used': header('Calls counted this period', '42'),
  'X-RateLimit-Remaining': header('Calls left this period, or "unlimited"', '958'),
  'X-RateLimit-Reset': header('ISO 8601 start of the next period', '2026-12-01T00:00:00.000Z'),
  'X-User-Id': header('The user the call is charged to, or "demo"', '5b0c…'),
  'X-Demo-Mode': z.literal('true').optional().meta({ description: 'Present when the call was served in demo mode (no key sent)' }),
  'RateLimit-Policy': header('IETF draft-ietf-httpapi-ratelimit-headers policy; absent for unlimited plans', '"monthly";q=1000;w=2592000').optional(),
  RateLimit: header('IETF draft-ietf-httpapi-ratelimit-headers state; absent for unlimited plans', '"monthly";r=958;t=604800').optional(),
});

const retryAfter = header('Seconds until a retry can succeed', '604800');

/**
 * The 429 of a metered route: QUOTA_EXCEEDED past the monthly quota, with the quota headers; or, as on
 * every keyed route, RATE_LIMITED after too many failed key attempts, without them.
 */
export const quotaExceeded: ResponseDeclaration = {
  description: 'QUOTA_EXCEEDED: the monthly quota is spent (with the quota headers); RATE_LIMITED: too many failed key attempts. Retry after `Retry-After` seconds',
  schema: z.union([quotaExceededSchema, errorSchema]),
  headers: quotaHeaders.partial().extend({ 'Retry-After': retryAfter }),
};

export const errorResponse = (description: string, headers?: z.ZodObject): ResponseDeclaration => ({ description, schema: errorSchema, ...(headers ? { headers } : {}) });

/**
 * On every operation: the client errors any request can get before it reaches the operation, among
 * them the 405 for a method the path does not list. (The response check in the tests holds every
 * operation's own statuses to their exact codes; only a 405 for an unlisted method is judged by this.)
 */
export const otherClientError = errorResponse(
  'Any other client error, in the same shape, refused before the operation runs: 405 with `Allow` for a method this path does not list; ' +
    '400, 413 or 415 for a body (even one the operation does not expect) that is malformed, too large or not JSON; 400, 408 or 431 for a request refused before routing',
  z.object({ Allow: header('With 405: the methods the path supports', 'GET, HEAD, POST, OPTIONS').optional() }),
);

// ----- declaring -----

export interface RestApi {
  /** Declares one operation: registers it with Fastify and records it for the OpenAPI document. */
  route<A extends Auth, B extends ZodType | undefined = undefined, Q extends ZodType | undefined = undefined, P extends ZodType | undefined = undefined>(
    declaration: RouteDeclaration<A, B, Q, P>,
  ): void;
  /** Adds OPTIONS and the 405 answers to every resource; call once, after the last route. */
  seal(): void;
  /** The operations declared so far, as the OpenAPI document's `paths`. */
  paths(): ZodOpenApiPathsObject;
  readonly declarations: readonly RouteDeclaration[];
}

interface RequestState {
  em: EntityManager;
  key?: VerifiedKey;
  subject?: Subject;
  principal?: Principal;
  management?: { key: VerifiedManagementKey; actor: Actor };
}

/** Where a route that acts for a user reads `userId`: the query of a GET or DELETE, else the body. */
const userIdIn = (method: Method): 'query' | 'body' => (method === 'GET' || method === 'DELETE' ? 'query' : 'body');

const userIdField = actingForSchema.shape.userId.meta({
  description: 'With a management key (required): the id, email or external id of the user to act for. With an API key: leave it out (400 otherwise).',
  example: 'user123',
});

/** The schemas a route validates and documents; a route that acts for a user also takes `userId`. */
function inputSchemas(d: RouteDeclaration): { body?: ZodType; querystring?: ZodType } {
  if (typeof d.auth !== 'object' || !('actingFor' in d.auth)) return { ...(d.body ? { body: d.body } : {}), ...(d.querystring ? { querystring: d.querystring } : {}) };
  const withUserId = (schema: ZodType | undefined) => (schema ? (schema as z.ZodObject).extend({ userId: userIdField.optional() }) : z.object({ userId: userIdField.optional() }));
  return userIdIn(d.method) === 'query'
    ? { ...(d.body ? { body: d.body } : {}), querystring: withUserId(d.querystring) }
    : { body: withUserId(d.body), ...(d.querystring ? { querystring: d.querystring } : {}) };
}

/**
 * The REST API's route table. Each route is declared once, with its schemas,
 * its responses and who may call it; Fastify validates with those schemas
 * (as our 400s, naming each field), and the OpenAPI document, the fuzz test's
 * operations and the response validation in the tests all come from the same
 * declarations.
 */
export function restApi(app: FastifyInstance, services: Pick<Services, 'keys' | 'managementKeys' | 'users' | 'usage' | 'orm'>): RestApi {
  const declarations: RouteDeclaration[] = [];
  const states = new WeakMap<FastifyRequest, RequestState>();
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  let sealed = false;

  // Our zod schemas validate, and our error handler answers, so the 400 names each field as parseInput does.
  app.setValidatorCompiler(({ schema }) => {
    const zod = schema as unknown as ZodType;
    return (data: unknown) => {
      try {
        return { value: parseInput(zod, data) };
      } catch (err) {
        return { error: err as Error };
      }
    };
  });
  // Never a serializer that drops what the schema does not list: a field the contract lacks must show
  // up (and fail the response validation in the tests), not vanish.
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));

  const allowFor = (url: string) => {
    const methods = new Set<string>(['OPTIONS', ...declarations.filter((d) => d.url === url).map((d) => d.method)]);
    if (methods.has('GET')) methods.add('HEAD');
    return CANONICAL.filter((m) => methods.has(m)).join(', ');
  };

  const authenticate = async (req: FastifyRequest, auth: Auth, method: Method): Promise<RequestState> => {
    const em = lazyFork(services.orm.em);
    if (auth === 'public') return { em };
    if (typeof auth === 'object') {
      if ('management' in auth) return { em, management: await requireManagementKey(services, em, req, auth.management) };
      const where = userIdIn(method);
      const { principal, input } = await resolvePrincipal(services, em, req, { scope: auth.actingFor, input: where === 'query' ? req.query : req.body });
      // The route's own schema judges the rest; `userId` has been taken out and resolved.
      if (where === 'query') req.query = input;
      else req.body = input;
      return { em, principal };
    }
    const presented = presentedKey(req.headers);
    if (auth === 'key') return { em, key: await services.keys.authenticate(em, presented, clientIp(req)) };
    // A request that sends a key, even an empty or bad one, never falls back to demo mode.
    if (presented !== undefined) return { em, subject: { kind: 'key', key: await services.keys.authenticate(em, presented, clientIp(req)) } };
    if (services.usage.demoEnabled) return { em, subject: { kind: 'demo', clientIp: clientIp(req) } };
    throw new AppError('UNAUTHORIZED', 'Missing X-API-Key (or Authorization: Bearer) header; demo mode is off');
  };

  const route: RestApi['route'] = (declaration) => {
    if (sealed) throw new Error(`${declaration.method} ${declaration.url} was declared after seal()`);
    const d = declaration as unknown as RouteDeclaration;
    if (declarations.some((x) => x.operationId === d.operationId)) throw new Error(`operationId ${d.operationId} is declared twice`);
    declarations.push(d);
    const success = Number(Object.keys(d.responses).find((s) => s.startsWith('2')) ?? 200);
    const schema: FastifySchema = {
      ...inputSchemas(d),
      ...(d.params ? { params: d.params } : {}),
      response: Object.fromEntries(Object.entries(allResponses(d)).flatMap(([status, r]) => (r.schema ? [[status, r.schema]] : []))),
    };
    app.route({
      method: d.method,
      url: d.url,
      schema,
      config: { operationId: d.operationId },
      ...(d.rawBody ? rawBodyOptions(d.rawBody, rawBodies) : {}),
      // Before validation, so a call without a key is refused (401) before its input is judged.
      preValidation: async (req) => {
        states.set(req, await authenticate(req, d.auth, d.method));
        // No body at all (Fastify gives null); a JSON `null` sent as such is still judged, and refused.
        if (d.bodyOptional && req.body == null && req.headers['content-type'] === undefined) req.body = {};
      },
      handler: async (req, reply) => {
        const state = states.get(req);
        if (!state) throw new Error('preValidation did not run');
        reply.code(success);
        if (d.method === 'OPTIONS') reply.header('Allow', allowFor(d.url));
        const ctx = {
          req,
          reply,
          em: state.em,
          body: req.body,
          query: req.query,
          params: req.params,
          rawBody: rawBodies.get(req) ?? EMPTY,
          key: state.key,
          subject: state.subject,
          principal: state.principal,
          management: state.management,
        };
        const payload = await d.handler(ctx as never);
        return reply.sent ? reply : reply.send(payload);
      },
    });
  };

  const seal = () => {
    sealed = true;
    for (const url of new Set(declarations.map((d) => d.url))) {
      const declared = new Set(declarations.filter((d) => d.url === url).map((d) => d.method));
      const allow = allowFor(url);
      if (!declared.has('OPTIONS')) {
        app.route({ method: 'OPTIONS', url, handler: (_req, reply) => reply.code(204).header('Allow', allow).send() });
      }
      const rest = ALL.filter((m) => !declared.has(m) && m !== 'OPTIONS');
      if (rest.length) {
        app.route({
          method: rest as HTTPMethods[],
          url,
          // Declared, so the shared security tests expect a 405 here rather than an auth check.
          config: { methodNotAllowed: true },
          handler: (req, reply) => {
            reply.header('Allow', allow);
            throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url}; allowed: ${allow}`);
          },
        });
      }
    }
  };

  const paths = (): ZodOpenApiPathsObject => {
    const out: ZodOpenApiPathsObject = {};
    for (const url of new Set(declarations.map((d) => d.url))) {
      const item: Record<string, ZodOpenApiOperationObject> = {};
      for (const d of declarations.filter((x) => x.url === url)) item[d.method.toLowerCase()] = operation(d);
      if (!item['options']) {
        const id = declarations.find((x) => x.url === url)?.operationId ?? url;
        const params = declarations.find((x) => x.url === url && x.params)?.params;
        item['options'] = {
          operationId: `${id}Options`,
          summary: `The methods ${url} supports`,
          security: [],
          ...(params ? { requestParams: { path: params as z.ZodObject } } : {}),
          responses: {
            204: response({ description: 'No content; `Allow` lists the methods', headers: z.object({ Allow: header('The methods the path supports', 'GET, HEAD, POST, OPTIONS') }) }),
            '4XX': response(otherClientError),
          },
        };
      }
      out[openApiPath(url)] = item;
    }
    return out;
  };

  return { route, seal, paths, declarations };
}

const EMPTY = Buffer.alloc(0);

/** Reads the body's bytes before Fastify parses them, within the route's limit, and hands the same bytes on to the parser. */
function rawBodyOptions(opts: NonNullable<RouteDeclaration['rawBody']>, into: WeakMap<FastifyRequest, Buffer>) {
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${opts.limitBytes} bytes`);
  return {
    bodyLimit: opts.limitBytes,
    preParsing: async (req: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream> => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.limitBytes) throw tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of payload) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += buf.length;
        if (size > opts.limitBytes) throw tooLarge();
        chunks.push(buf);
      }
      const raw = Buffer.concat(chunks);
      into.set(req, raw);
      opts.check(req, raw);
      return Readable.from([raw]);
    },
  };
}

const KEYED: Record<string, string[]>[] = [{ ApiKey: [] }, { BearerKey: [] }];
/** A management key with `scope` (listed as the requirement's roles, as OpenAPI 3.1 allows for non-OAuth schemes). */
const managed = (scope: ManagementScope): Record<string, string[]>[] => [{ ManagementKey: [scope] }, { ManagementBearer: [scope] }];
export const SECURITY_SCHEMES = {
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
} as const;

function security(auth: Auth): Record<string, string[]>[] {
  if (auth === 'public') return [];
  if (auth === 'keyOrDemo') return [...KEYED, {}];
  if (auth === 'key') return KEYED;
  return 'management' in auth ? managed(auth.management) : [...KEYED, ...managed(auth.actingFor)];
}
export const DEFAULT_SECURITY = KEYED;

/** `/keys/:id` → `/keys/{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

/** What a route can answer: its own responses and the ones its kind of route always can. */
function allResponses(d: RouteDeclaration): Record<number, ResponseDeclaration> {
  const out: Record<number, ResponseDeclaration> = {};
  const badInput = d.body || d.querystring || d.params;
  if (d.auth !== 'public' || badInput) {
    out[400] = errorResponse(d.auth === 'public' ? 'Bad input; `issues` names each failing field' : 'Bad input (`issues` names each failing field), or X-API-Key and Authorization carry different keys');
  }
  if (d.auth !== 'public') {
    out[429] = errorResponse('RATE_LIMITED: too many failed key attempts from this address or for this key; retry after `Retry-After` seconds', z.object({ 'Retry-After': retryAfter }));
    const management = typeof d.auth === 'object' && 'management' in d.auth;
    const actingFor = typeof d.auth === 'object' && 'actingFor' in d.auth;
    out[401] = errorResponse(
      d.auth === 'keyOrDemo'
        ? 'Invalid API key (one answer for every kind of bad key), or no key while demo mode is off'
        : management
          ? 'Missing or invalid management key (one answer for every kind of bad key, revoked included)'
          : 'Missing or invalid API key (one answer for every kind of bad key)',
    );
    out[403] = errorResponse(
      management
        ? 'An API key instead of a management key, or a management key without the scope this route needs'
        : actingFor
          ? 'The key belongs to a suspended user, or a management key lacks the scope this route needs'
          : 'The key belongs to a suspended user',
    );
  }
  if (d.body) {
    out[413] = errorResponse('Body larger than the server’s limit');
    out[415] = errorResponse('Body is not JSON (Content-Type must be application/json)');
  }
  if (d.auth !== 'public') out[503] = errorResponse('The database is unavailable; retry after `Retry-After` seconds', z.object({ 'Retry-After': header('Seconds to wait', '5') }));
  return { ...out, ...d.responses };
}

function response(r: ResponseDeclaration): ZodOpenApiResponseObject {
  const headers = r.headers ? commonHeaders.extend(r.headers.shape) : commonHeaders;
  return { description: r.description, headers, ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}) };
}

function operation(d: RouteDeclaration): ZodOpenApiOperationObject {
  const { body, querystring } = inputSchemas(d);
  const requestParams = {
    ...(d.params ? { path: d.params as z.ZodObject } : {}),
    ...(querystring ? { query: querystring as z.ZodObject } : {}),
  };
  return {
    operationId: d.operationId,
    summary: d.summary,
    ...(d.description ? { description: d.description } : {}),
    security: security(d.auth),
    ...(Object.keys(requestParams).length ? { requestParams } : {}),
    ...(body ? { requestBody: { required: !d.bodyOptional && d.body !== undefined, content: { 'application/json': { schema: body } } } } : {}),
    responses: { ...Object.fromEntries(Object.entries(allResponses(d)).map(([status, r]) => [status, response(r)])), '4XX': response(otherClientError) },
  };
}

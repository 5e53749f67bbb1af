import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createDocument } from 'zod-openapi';
import { DEFAULT_SECURITY, SECURITY_SCHEMES, type RestApi } from './route.ts';

/** The OpenAPI document of the declared routes (server/rest/routes.ts); nothing in it is written by hand but the prose. */
export function openApiDocument(api: Pick<RestApi, 'paths'>) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Harmonic API',
      version: '1.0.0',
      description:
        'Query several sources with one call, metered against your monthly quota. Authenticate with the `X-API-Key` header (or `Authorization: Bearer`). ' +
        'Every metered response carries the rate-limit headers; past the quota you get 429 with `Retry-After`. ' +
        'A method a path does not list is answered 405 with `Allow`.',
    },
    servers: [{ url: '/api/v1' }],
    security: DEFAULT_SECURITY,
    components: {
      securitySchemes: SECURITY_SCHEMES,
    },
    paths: api.paths(),
  });
}

/** `/api/v1/openapi.json` and an interactive reference at `/api/v1/docs`, all served locally. */
export async function registerOpenApi(app: FastifyInstance, api: Pick<RestApi, 'paths'>): Promise<void> {
  const document = openApiDocument(api);
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

import cors, { type FastifyCorsOptions, type FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** What a page may read from a response: its quota, who it was charged to, and the request's id. */
export const EXPOSED_HEADERS = [
  'X-RateLimit-Limit',
  'X-RateLimit-Used',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-User-Id',
  'X-Demo-Mode',
  'X-Request-Id',
  'X-Response-Time',
];

/**
 * CORS for the key-authenticated API, registered inside the /api/v1 plugin only, so the
 * cookie-authenticated tRPC and admin routes never answer another origin. Keys travel in
 * headers, never cookies, so credentials stay off.
 */
export async function registerCors(api: FastifyInstance, origins: '*' | string[]): Promise<void> {
  if (origins !== '*' && origins.length === 0) return;
  const options: FastifyCorsOptions = {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['X-API-Key', 'Authorization', 'Content-Type'],
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    // Chromium caps the preflight cache at 2 hours.
    maxAge: 7200,
  };
  // A plain OPTIONS (no Origin + Access-Control-Request-Method) is someone reading the
  // documentation that OPTIONS /api/v1/data answers, not a browser's preflight: leave it to the route.
  const delegate: FastifyCorsOptionsDelegateCallback = (req, callback) => {
    const preflight = req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    callback(null, req.method === 'OPTIONS' && !preflight ? { origin: false } : options);
  };
  await api.register(cors, () => delegate);
}

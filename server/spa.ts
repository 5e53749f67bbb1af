import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const SPA_DIR = path.resolve(import.meta.dirname, '..', 'dist', 'client');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harmonic</title></head>
<body><h1>Harmonic</h1><p>The customer portal and the admin app have not been built yet. Run <code>npm run build</code>, or use <code>npm start</code>, which builds them.</p></body></html>`;

/** Paths the apps never own: they answer JSON 404s from their own handlers. */
const API_PREFIXES = ['/api/', '/trpc/', '/healthz', '/readyz', '/metrics'];

/** Where the admin app lives; the customer portal has everything else. */
export const ADMIN_BASE = '/admin';

/**
 * The admin app's screens before it moved under /admin (client/admin/router.tsx).
 * None of them is a portal path, so a bookmark of one still opens the admin screen.
 */
export const OLD_ADMIN_PATHS: readonly string[] = ['sign-in', 'users', 'keys', 'tiers', 'kb', 'audit', 'playground', 'admins', 'management-keys'];

/** `/users/42?tab=keys` → `/admin/users/42?tab=keys`; undefined for any path that is not an old admin screen. */
export function oldAdminRedirect(url: string): string | undefined {
  const query = url.indexOf('?');
  const pathname = query === -1 ? url : url.slice(0, query);
  const first = pathname.split('/')[1] ?? '';
  return pathname.startsWith('/') && OLD_ADMIN_PATHS.includes(first) ? `${ADMIN_BASE}${url}` : undefined;
}

/** Whether a path is the admin app's (`/admin`, `/admin/…`), not the portal's (`/administrator` is the portal's). */
export function isAdminPath(url: string): boolean {
  return url === ADMIN_BASE || url.startsWith(`${ADMIN_BASE}/`) || url.startsWith(`${ADMIN_BASE}?`);
}

/**
 * Serves the built apps (dist/client): the customer portal at `/`, the admin app
 * at `/admin/`, and their shared assets. A browser asking for any other page (a
 * GET that accepts HTML) gets the app that owns the path, so client-side routes
 * survive a reload; an old admin path is redirected to its /admin equivalent.
 */
export async function registerSpa(app: FastifyInstance, dir = SPA_DIR): Promise<void> {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      index: ['index.html'],
      // Hashed assets may be cached forever; the apps' HTML must always be revalidated.
      setHeaders(res, filePath) {
        res.header('Cache-Control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.get('/', (_req, reply) => reply.type('text/html').send(NOT_BUILT));
  }

  app.setNotFoundHandler((req, reply) => {
    const wantsHtml = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
    const isApi = API_PREFIXES.some((p) => req.url.startsWith(p));
    if (wantsHtml && !isApi) {
      const moved = oldAdminRedirect(req.url);
      // Permanent, but revalidated: should a portal screen ever take one of these paths, browsers let go of the redirect.
      if (moved) return reply.header('Cache-Control', 'no-cache').redirect(moved, 301);
      if (!built) return reply.type('text/html').send(NOT_BUILT);
      return reply
        .type('text/html')
        .header('Cache-Control', 'no-cache')
        .sendFile(isAdminPath(req.url) ? 'admin/index.html' : 'index.html');
    }
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.url.split('?')[0]}` } });
  });
}

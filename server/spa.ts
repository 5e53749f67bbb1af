import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const SPA_DIR = path.resolve(import.meta.dirname, '..', 'dist', 'client');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harmonic</title></head>
<body><h1>Harmonic</h1><p>The admin app has not been built yet. Run <code>npm run build</code>, or use <code>npm start</code>, which builds it.</p></body></html>`;

/** Paths the SPA never owns: they answer JSON 404s from their own handlers. */
const API_PREFIXES = ['/api/', '/trpc/', '/healthz', '/readyz', '/metrics'];

/**
 * Serves the built admin SPA at `/`. Unknown GET paths that a browser asks for
 * as HTML fall back to index.html so client-side routes survive a reload.
 */
export async function registerSpa(app: FastifyInstance, dir = SPA_DIR): Promise<void> {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      index: ['index.html'],
      // Hashed assets may be cached forever; index.html must always be revalidated.
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
      return built ? reply.type('text/html').header('Cache-Control', 'no-cache').sendFile('index.html') : reply.type('text/html').send(NOT_BUILT);
    }
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.url.split('?')[0]}` } });
  });
}

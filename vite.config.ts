import path from 'node:path';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { hashSpaSources, writeBuildRecord } from './scripts/spa-sources.ts';

const serverPort = Number(process.env['PORT'] ?? 3000);
const server = `http://localhost:${serverPort}`;

/**
 * `npm run dev` proxies the API to the server. The admin API answers only its
 * own origin (CSRF defence), so the proxy presents browser requests as coming
 * from the server's origin: this is for development on one machine only.
 */
const toServer = {
  target: server,
  changeOrigin: true,
  configure: (proxy: { on(event: 'proxyReq', listener: (req: { getHeader(name: string): unknown; setHeader(name: string, value: string): void }) => void): unknown }) => {
    proxy.on('proxyReq', (req) => {
      if (req.getHeader('origin')) req.setHeader('origin', server);
    });
  },
};

/**
 * Records what a build was made from (hashed as the build starts, written once
 * it succeeded), so `npm start` judges dist/client by content, not file times.
 */
function recordSources(): Plugin {
  const root = import.meta.dirname;
  let sha256 = '';
  return {
    name: 'harmonic:record-sources',
    apply: 'build',
    buildStart() {
      sha256 = hashSpaSources(root);
    },
    writeBundle() {
      writeBuildRecord(root, sha256);
    },
  };
}

/**
 * In development, a browser navigation anywhere under /admin opens the admin
 * app, as server/spa.ts does in production (Vite's own fallback knows only the
 * root index.html, the portal).
 */
function adminFallback(): Plugin {
  return {
    name: 'harmonic:admin-fallback',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const [pathname = '', query] = (req.url ?? '').split('?', 2);
        const isAdminPage = (pathname === '/admin' || pathname.startsWith('/admin/')) && !path.posix.extname(pathname);
        if (req.method === 'GET' && isAdminPage && (req.headers.accept ?? '').includes('text/html')) {
          req.url = `/admin/index.html${query === undefined ? '' : `?${query}`}`;
        }
        next();
      });
    },
  };
}

const client = path.resolve(import.meta.dirname, 'client');

/**
 * Two apps from one project: the customer portal (client/index.html, served at
 * `/`) and the admin app (client/admin/index.html, served at `/admin/`), with
 * what they share in client/ui. Each entry gets its own initial chunks, so the
 * portal never loads admin code. Built into dist/client, which server/spa.ts
 * serves. Everything is bundled locally (the CSP allows only 'self'); the
 * manifest lets `npm run build:size` measure each entry's initial JavaScript.
 */
export default defineConfig({
  root: client,
  plugins: [react(), tailwindcss(), recordSources(), adminFallback()],
  build: {
    rolldownOptions: {
      input: { portal: path.join(client, 'index.html'), admin: path.join(client, 'admin/index.html') },
    },
    outDir: path.resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    sourcemap: true,
    manifest: true,
    // Below this, Vite would inline assets as data: URLs; keep files so nothing depends on the CSP's data: allowance.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    proxy: {
      '/trpc': toServer,
      '/api': toServer,
      '/healthz': toServer,
      '/readyz': toServer,
    },
  },
});

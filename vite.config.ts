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
 * The admin SPA: built into dist/client, which the server serves at `/`.
 * Everything is bundled locally (the CSP allows only 'self'); the manifest
 * lets `npm run build:size` measure the initial JavaScript.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, 'client/app'),
  plugins: [react(), tailwindcss(), recordSources()],
  build: {
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

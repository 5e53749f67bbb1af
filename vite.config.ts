import path from 'node:path';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const serverPort = Number(process.env['PORT'] ?? 3000);

/**
 * The admin SPA: built into dist/client, which the server serves at `/`.
 * Everything is bundled locally (the CSP allows only 'self'); the manifest
 * lets `npm run build:size` measure the initial JavaScript.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, 'client/app'),
  plugins: [react(), tailwindcss()],
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
      '/trpc': `http://localhost:${serverPort}`,
      '/api': `http://localhost:${serverPort}`,
      '/healthz': `http://localhost:${serverPort}`,
      '/readyz': `http://localhost:${serverPort}`,
    },
  },
});

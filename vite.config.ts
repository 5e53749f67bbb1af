import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const serverPort = Number(process.env['PORT'] ?? 3000);

/** The admin SPA: built into dist/client, which the server serves at `/`. */
export default defineConfig({
  root: path.resolve(import.meta.dirname, 'client/app'),
  plugins: [react()],
  build: {
    outDir: path.resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    sourcemap: true,
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

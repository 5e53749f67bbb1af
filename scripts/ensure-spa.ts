/**
 * Run before `npm start`: builds the admin SPA when dist/client is missing or
 * older than its sources, so a fresh clone needs no separate build step.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const built = path.join(root, 'dist/client/index.html');
const sources = ['client', 'shared', 'vite.config.ts', 'package-lock.json'].map((p) => path.join(root, p));

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
if (builtAt >= Math.max(...sources.map(newestMtime))) process.exit(0);

const vite = path.join(root, 'node_modules/.bin/vite');
if (!fs.existsSync(vite)) {
  console.warn(builtAt ? 'harmonic: the admin app may be stale (vite is not installed to rebuild it)' : 'harmonic: the admin app is not built and vite is not installed; run `npm install` then `npm run build`');
  process.exit(0);
}
console.log('harmonic: building the admin app…');
const result = spawnSync(vite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);

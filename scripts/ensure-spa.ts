/**
 * Run before `npm start`: builds the apps (portal and admin) when dist/client is missing or
 * was built from other sources, so a fresh clone needs no separate build step.
 * "Other sources" is judged by content (scripts/spa-sources.ts): a production
 * install after `npm run build` rewrites file times, not sources.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hashSpaSources, readBuildRecord } from './spa-sources.ts';

const root = path.resolve(import.meta.dirname, '..');
const built = fs.existsSync(path.join(root, 'dist/client/index.html'));
const record = built ? readBuildRecord(root) : undefined;
if (record && record.sha256 === hashSpaSources(root)) process.exit(0);

const vite = path.join(root, 'node_modules/.bin/vite');
if (!fs.existsSync(vite)) {
  if (!built) {
    console.warn('harmonic: the portal and admin apps are not built and vite is not installed; run `npm install` then `npm run build`');
  } else {
    const why = record ? `client/, shared/ or the lock file changed since it was built at ${record.builtAt}` : 'nothing records what it was built from';
    console.warn(`harmonic: the portal and admin apps in dist/client may be stale (${why}), and vite is not installed to rebuild it; run \`npm run build\` with the dev dependencies installed`);
  }
  process.exit(0);
}
console.log(built ? 'harmonic: rebuilding the portal and admin apps (their sources changed)…' : 'harmonic: building the portal and admin apps…');
const result = spawnSync(vite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);

/**
 * `npm run build:size`: builds the admin SPA and measures its initial
 * JavaScript, gzipped: the entry chunk plus every chunk it imports statically
 * (what the browser must load before anything shows), read from Vite's
 * manifest. Lazy routes are listed too, for information. Fails when the initial
 * JavaScript is over the budget (250 KB gzipped, issue 6).
 *
 *   npm run build:size            # build, then measure
 *   npm run build:size -- --no-build
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 250 * 1000;

interface ManifestChunk {
  file: string;
  src?: string;
  name?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist/client');

/** The manifest keys of a chunk and everything it imports statically, depth first, each once. */
export function staticClosure(manifest: Manifest, key: string, seen = new Set<string>()): string[] {
  if (seen.has(key) || !manifest[key]) return [];
  seen.add(key);
  return [key, ...(manifest[key].imports ?? []).flatMap((k) => staticClosure(manifest, k, seen))];
}

const gz = (file: string) => gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

function main(): void {
  if (!process.argv.includes('--no-build')) {
    const vite = path.join(root, 'node_modules/.bin/vite');
    const built = spawnSync(vite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const manifestPath = path.join(dist, '.vite/manifest.json');
  if (!fs.existsSync(manifestPath)) {
    console.error(`No manifest at ${manifestPath}: build the SPA first (vite build with build.manifest).`);
    process.exit(1);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry) throw new Error('the manifest has no entry chunk');

  const initial = staticClosure(manifest, entry);
  const initialFiles = initial.map((k) => manifest[k]?.file ?? '').filter((f) => f.endsWith('.js'));
  const initialJs = initialFiles.reduce((sum, f) => sum + gz(f), 0);
  const css = [...new Set(initial.flatMap((k) => manifest[k]?.css ?? []))].reduce((sum, f) => sum + gz(f), 0);

  console.log('Initial JavaScript (entry + static imports), gzipped:');
  for (const f of initialFiles) console.log(`  ${f.padEnd(48)} ${kb(gz(f)).padStart(10)}`);
  console.log(`  ${'total'.padEnd(48)} ${kb(initialJs).padStart(10)}   (budget ${kb(BUDGET_BYTES)})`);
  console.log(`Initial CSS, gzipped: ${kb(css)}`);

  console.log('\nEach lazy route, loaded on demand (its chunk + static imports not already in the initial set), gzipped:');
  const initialSet = new Set(initial);
  for (const key of Object.keys(manifest).filter((k) => manifest[k]?.isDynamicEntry).sort()) {
    const extra = staticClosure(manifest, key).filter((k) => !initialSet.has(k));
    const bytes = extra.map((k) => manifest[k]?.file ?? '').filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gz(f), 0);
    console.log(`  ${(manifest[key]?.src ?? key).padEnd(48)} ${kb(bytes).padStart(10)}`);
  }

  if (initialJs > BUDGET_BYTES) {
    console.error(`\nThe initial JavaScript is ${kb(initialJs)} gzipped, over the ${kb(BUDGET_BYTES)} budget.`);
    process.exit(1);
  }
  console.log(`\nOK: ${kb(initialJs)} of ${kb(BUDGET_BYTES)}.`);
}

if (import.meta.main) main();

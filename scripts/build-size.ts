/**
 * `npm run build:size`: builds the client and measures each app's initial
 * JavaScript, gzipped: its entry chunk plus every chunk it imports statically
 * (what the browser must load before anything shows), read from Vite's
 * manifest. Lazy routes are listed too, for information. Fails when an app's
 * initial JavaScript is over its budget (the customer portal 200 KB, the admin
 * app 250 KB), or when the portal's initial chunks hold any module of the admin
 * app (read from their source maps).
 *
 *   npm run build:size            # build, then measure
 *   npm run build:size -- --no-build
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

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

export interface App {
  name: string;
  /** The entry's key in the manifest: its HTML, relative to client/. */
  entry: string;
  budgetBytes: number;
  /** Source directories (relative to the project) that must not be in this app's initial chunks. */
  mustNotContain: string[];
}

export const APPS: readonly App[] = [
  { name: 'customer portal', entry: 'index.html', budgetBytes: 200 * 1000, mustNotContain: ['client/admin/'] },
  { name: 'admin app', entry: 'admin/index.html', budgetBytes: 250 * 1000, mustNotContain: ['client/portal/'] },
];

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist/client');

/** The manifest keys of a chunk and everything it imports statically, depth first, each once. */
export function staticClosure(manifest: Manifest, key: string, seen = new Set<string>()): string[] {
  if (seen.has(key) || !manifest[key]) return [];
  seen.add(key);
  return [key, ...(manifest[key].imports ?? []).flatMap((k) => staticClosure(manifest, k, seen))];
}

/** Every chunk an entry can load, statically or on demand. */
function reachable(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key) || !manifest[key]) return seen;
  seen.add(key);
  for (const k of [...(manifest[key].imports ?? []), ...(manifest[key].dynamicImports ?? [])]) reachable(manifest, k, seen);
  return seen;
}

/** The project-relative paths of the modules bundled into a built file, from its source map. */
export function bundledSources(distDir: string, file: string, projectRoot: string): string[] {
  const mapPath = path.join(distDir, `${file}.map`);
  // Rolldown's own runtime chunk is generated code, with no sources to map.
  if (!fs.existsSync(mapPath) && !fs.readFileSync(path.join(distDir, file), "utf8").includes("sourceMappingURL")) return [];
  if (!fs.existsSync(mapPath)) throw new Error(`no source map for ${file}: build with build.sourcemap`);
  const map = JSON.parse(fs.readFileSync(mapPath, 'utf8')) as { sources?: string[]; sourceRoot?: string };
  const base = path.resolve(path.dirname(mapPath), map.sourceRoot ?? '');
  return (map.sources ?? []).map((s) => path.relative(projectRoot, path.resolve(base, s)).split(path.sep).join('/'));
}

const gz = (file: string) => gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

/** Prints one app's figures; returns what is wrong with it (empty when within budget and clean). */
function measure(manifest: Manifest, app: App): string[] {
  const entry = manifest[app.entry];
  if (!entry?.isEntry) return [`the manifest has no entry ${app.entry} (the ${app.name})`];

  const initial = staticClosure(manifest, app.entry);
  const initialFiles = initial.map((k) => manifest[k]?.file ?? '').filter((f) => f.endsWith('.js'));
  const initialJs = initialFiles.reduce((sum, f) => sum + gz(f), 0);
  const css = [...new Set(initial.flatMap((k) => manifest[k]?.css ?? []))].reduce((sum, f) => sum + gz(f), 0);

  console.log(`\n${app.name} (${app.entry}): initial JavaScript (entry + static imports), gzipped:`);
  for (const f of initialFiles) console.log(`  ${f.padEnd(48)} ${kb(gz(f)).padStart(10)}`);
  console.log(`  ${'total'.padEnd(48)} ${kb(initialJs).padStart(10)}   (budget ${kb(app.budgetBytes)})`);
  console.log(`  initial CSS, gzipped: ${kb(css)}`);

  console.log(`  each lazy route, loaded on demand (its chunk + static imports not already in the initial set), gzipped:`);
  const initialSet = new Set(initial);
  const lazy = [...reachable(manifest, app.entry)].filter((k) => manifest[k]?.isDynamicEntry);
  for (const key of lazy.sort()) {
    const extra = staticClosure(manifest, key).filter((k) => !initialSet.has(k));
    const bytes = extra.map((k) => manifest[k]?.file ?? '').filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gz(f), 0);
    console.log(`    ${(manifest[key]?.src ?? key).padEnd(46)} ${kb(bytes).padStart(10)}`);
  }

  const problems: string[] = [];
  const foreign = initialFiles.flatMap((f) => bundledSources(dist, f, root).filter((s) => app.mustNotContain.some((dir) => s.startsWith(dir))).map((s) => `${s} (in ${f})`));
  if (foreign.length) problems.push(`the ${app.name}'s initial JavaScript holds modules it must not: ${foreign.join(', ')}`);
  if (initialJs > app.budgetBytes) problems.push(`the ${app.name}'s initial JavaScript is ${kb(initialJs)} gzipped, over its ${kb(app.budgetBytes)} budget`);
  if (!problems.length) console.log(`  OK: ${kb(initialJs)} of ${kb(app.budgetBytes)}.`);
  return problems;
}

function main(): void {
  if (!process.argv.includes('--no-build')) {
    const vite = path.join(root, 'node_modules/.bin/vite');
    const built = spawnSync(vite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const manifestPath = path.join(dist, '.vite/manifest.json');
  if (!fs.existsSync(manifestPath)) {
    console.error(`No manifest at ${manifestPath}: build the client first (vite build with build.manifest).`);
    process.exit(1);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  const problems = APPS.flatMap((app) => measure(manifest, app));
  if (problems.length) {
    for (const p of problems) console.error(`\n${p}.`);
    process.exit(1);
  }
}

if (import.meta.main) main();

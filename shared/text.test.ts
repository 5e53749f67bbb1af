import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isStorableText, storableText, text, toStorableText } from './text.ts';

/** Every zod schema exported by a module of shared/, by "file: export name". */
async function sharedSchemas(): Promise<Map<string, z.ZodType>> {
  const found = new Map<string, z.ZodType>();
  const dir = new URL('.', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (value instanceof z.ZodType) found.set(`${file}: ${name}`, value);
  }
  return found;
}

/**
 * String formats whose own pattern admits neither NUL nor surrogates (each is
 * proved below), so they need not carry the check as well.
 */
const SAFE_FORMATS = new Set(['uuid', 'datetime', 'email']);

type Def = Record<string, unknown> & { type: string; checks?: z.core.$ZodCheck[] };

/**
 * Walks a schema through whatever it wraps (objects, arrays, records, unions,
 * optionals, pipes, lazies…) generically, through every schema its definition
 * holds, and returns a description of each string inside that lacks the check.
 */
function uncheckedStrings(root: z.ZodType, label: string): string[] {
  const bad: string[] = [];
  const seen = new Set<unknown>();
  const visit = (schema: z.core.$ZodType, path: string) => {
    if (seen.has(schema)) return;
    seen.add(schema);
    const def = schema._zod.def as Def;
    if (def.type === 'string') {
      const checked = (def.checks ?? []).some((c) => c === storableText);
      const format = (def as { format?: string }).format;
      if (!checked && !(format && SAFE_FORMATS.has(format))) bad.push(`${path} (${format ?? 'string'})`);
    }
    for (const [k, v] of Object.entries(def)) {
      if (k === 'checks') continue;
      const children = k === 'getter' && typeof v === 'function' ? [v()] : k === 'shape' && v && typeof v === 'object' ? Object.entries(v) : Array.isArray(v) ? v : [v];
      for (const child of children) {
        const [name, s] = Array.isArray(child) ? child : [k, child];
        if (s instanceof z.core.$ZodType) visit(s, `${path}.${String(name)}`);
      }
    }
  };
  visit(root, label);
  return bad;
}

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, and keeps everything else, astral characters included', () => {
    for (const bad of ['\0', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDC00\uD800', `${'😀'.slice(0, 1)}`]) expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
    for (const good of ['', 'plain', 'naïve café', '😀 emoji', '\u0001\u001f\t\n', '\uFFFD', '日本語']) expect(isStorableText(good), good).toBe(true);
    expect(toStorableText('a\0b\uD800c😀')).toBe('a\uFFFDb\uFFFDc😀');
  });

  it('gives a field built with text() one clear reason', () => {
    const result = z.strictObject({ name: text().trim().min(3) }).safeParse({ name: 'x\0' });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['name'], message: 'must not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates' })]);
  });

  it('lets the safe string formats refuse such strings on their own', () => {
    const samples: Record<string, [z.ZodType, string]> = {
      uuid: [z.uuid(), '8b64b6ed-d984-5477-9a87-7eb80f3746e9'],
      datetime: [z.iso.datetime({ offset: true }), '2027-01-31T00:00:00Z'],
      email: [z.email(), 'ada@example.com'],
    };
    expect(Object.keys(samples).sort()).toEqual([...SAFE_FORMATS].sort());
    for (const [format, [schema, valid]] of Object.entries(samples)) {
      expect(schema.safeParse(valid).success, format).toBe(true);
      for (let i = 0; i <= valid.length; i++) {
        for (const bad of ['\0', '\uD800', '\uDC00']) expect(schema.safeParse(valid.slice(0, i) + bad + valid.slice(i)).success, `${format} ${i}`).toBe(false);
      }
    }
  });
});

describe('every schema in shared/', () => {
  it('builds each string with text() (or a safe format), record keys and nested schemas included', async () => {
    const schemas = await sharedSchemas();
    expect(schemas.size).toBeGreaterThan(40);
    const bad = [...schemas].flatMap(([label, schema]) => uncheckedStrings(schema, label));
    expect(bad).toEqual([]);
  });

  it('would catch a raw z.string() anywhere inside a schema', () => {
    const sneaky = z.strictObject({
      ok: text(),
      list: z.array(z.string()).optional(),
      rec: z.record(z.string(), z.number()),
      union: z.union([z.number(), z.string().nullable()]),
      piped: z.preprocess((v) => v, z.string()),
      lazy: z.lazy(() => z.string()),
    });
    expect(uncheckedStrings(sneaky, 's')).toHaveLength(5);
  });
});

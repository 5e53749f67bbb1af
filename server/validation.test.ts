import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { appRouter } from './routers/root.ts';
import { inputDepthIssue, parseInput } from './validation.ts';

describe('parseInput', () => {
  it('refuses input nested past the limit before the schema sees it, naming the top-level field', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inputDepthIssue({ sources: deep })).toEqual({ field: 'sources', message: 'is nested too deeply (at most 32 levels)' });
    expect(inputDepthIssue({ a: { b: [1, 2, { c: null }] } })).toBeUndefined();
    const err = (() => {
      try {
        parseInput(z.strictObject({ sources: z.array(z.unknown()) }), { sources: deep });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details).toEqual({ issues: [{ field: 'sources', message: 'is nested too deeply (at most 32 levels)' }] });
  });

  it("reports a bad record key with the key's own reason", () => {
    const schema = z.strictObject({ metadata: z.record(z.string().max(3, 'keys must be at most 3 characters'), z.number()) });
    expect(() => parseInput(schema, { metadata: { long: 1 } })).toThrow('metadata.long: keys must be at most 3 characters');
  });
});

describe('tRPC inputs', () => {
  it('are all schemas exported from shared/, so the guard in shared/text.test.ts covers every one', async () => {
    const shared = new Set<unknown>();
    const dir = new URL('../shared/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      for (const value of Object.values(await import(new URL(file, dir).href))) shared.add(value);
    }
    const inputs = Object.entries(appRouter._def.procedures).flatMap(([path, p]) =>
      (p as unknown as { _def: { inputs: unknown[] } })._def.inputs.map((input) => [path, input] as const),
    );
    expect(inputs.length).toBeGreaterThan(25);
    expect(inputs.filter(([, input]) => !shared.has(input)).map(([path]) => path)).toEqual([]);
  });
});

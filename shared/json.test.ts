import { describe, expect, it } from 'vitest';
import { freeFormProblem, tooDeepAt } from './json.ts';
import { createKeySchema } from './keys.ts';

/** `{ "a": { "a": … 1 } }`, `depth` objects deep, built without recursion. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const limits = { maxDepth: 3, maxBytes: 100, maxBytesLabel: '100 bytes' };

describe('free-form JSON bounds', () => {
  it('find a value nested a hundred thousand levels deep without overflowing the stack', () => {
    expect(tooDeepAt(nested(100_000), 32)).toEqual(Array(32).fill('a'));
    expect(tooDeepAt(nested(32), 32)).toBeUndefined();
    expect(tooDeepAt({ list: [[[1]]] }, 3)).toEqual(['list', 0, 0]);
    expect(freeFormProblem(nested(100_000), { ...limits, maxBytes: 10_000_000 })).toEqual({ path: ['a', 'a', 'a', 'a'], message: 'must be nested at most 3 levels deep' });
  });

  it('measure the size exactly as JSON.stringify would', () => {
    const value = { a: [1, 'two', null, true, { 'k"ey': 'v\n' }], b: -1.5e-7, c: {} };
    const size = JSON.stringify(value).length;
    expect(freeFormProblem(value, { maxDepth: 5, maxBytes: size, maxBytesLabel: 'x' })).toBeUndefined();
    expect(freeFormProblem(value, { maxDepth: 5, maxBytes: size - 1, maxBytesLabel: 'x' })?.message).toBe('must be at most x as JSON');
  });

  it('stop at the size limit on a wide value, and name unstorable strings, keys and non-JSON values by path', () => {
    expect(freeFormProblem(Array.from({ length: 1_000_000 }, () => 1), limits)?.message).toBe('must be at most 100 bytes as JSON');
    expect(freeFormProblem({ a: ['ok', 'b\0ad'] }, limits)).toEqual({ path: ['a', 1], message: expect.stringMatching(/NUL/) });
    expect(freeFormProblem({ a: { 'k\uD800': 1 } }, limits)).toEqual({ path: ['a', 'k\uD800'], message: expect.stringMatching(/^keys .*surrogates/) });
    expect(freeFormProblem({ a: Number.NaN }, limits)?.path).toEqual(['a']);
    expect(freeFormProblem({ a: new Date() }, limits)?.message).toBe('must be a JSON value');
    expect(freeFormProblem({ a: () => 1 }, limits)?.message).toBe('must be a JSON value');
  });
});

describe('key metadata', () => {
  const issues = (metadata: unknown) => createKeySchema.safeParse({ name: 'k', metadata }).error?.issues.map((i) => ({ path: i.path, message: i.message }));

  it('accepts ordinary JSON and refuses, naming the place, what the database or the stack could not take', () => {
    expect(issues({ team: 'search', limits: { rps: 10, tags: ['a', 'b'] }, on: true, none: null })).toBeUndefined();
    expect(issues(nested(5000))).toEqual([{ path: ['metadata', ...Array(9).fill('a')], message: 'must be nested at most 8 levels deep' }]);
    expect(issues({ note: 'a\0b' })).toEqual([{ path: ['metadata', 'note'], message: expect.stringMatching(/NUL/) }]);
    expect(issues({ ['k\0']: 1 })?.[0]?.path).toEqual(['metadata', 'k\0']);
    expect(issues({ big: 'x'.repeat(5000) })).toEqual([{ path: ['metadata'], message: 'must be at most 4 KB as JSON' }]);
    expect(issues(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])))).toEqual([{ path: ['metadata'], message: 'must have at most 32 entries' }]);
    expect(issues({ ['k'.repeat(65)]: 1 })?.[0]?.path).toEqual(['metadata', 'k'.repeat(65)]);
  });
});

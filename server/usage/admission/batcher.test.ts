import { describe, expect, it } from 'vitest';
import { AdmissionBatcher } from './batcher.ts';

/** A batcher whose statements finish only when the test says so. */
function controlled(maxInFlight = 1) {
  const statements: { partition: string; inputs: string[]; finish: () => void }[] = [];
  const batcher = new AdmissionBatcher<string, string>({
    maxBatch: 3,
    maxInFlight,
    partition: (input) => input.split(':')[0] ?? '',
    run: (partition, inputs) =>
      new Promise((resolve) => statements.push({ partition, inputs, finish: () => resolve(inputs.map((i) => `ok ${i}`)) })),
  });
  return { batcher, statements };
}

describe('AdmissionBatcher', () => {
  it('sends a call at once when its partition has nothing in flight, and batches that partition while it has', async () => {
    const { batcher, statements } = controlled();
    const first = batcher.submit('a:1');
    const queued = ['a:2', 'a:3', 'a:4', 'a:5'].map((i) => batcher.submit(i));
    expect(statements.map((s) => s.inputs)).toEqual([['a:1']]);
    statements[0]?.finish();
    expect(await first).toBe('ok a:1');
    await Promise.resolve();
    // Up to maxBatch of the queued calls, in order, in the next statement.
    expect(statements.map((s) => s.inputs)).toEqual([['a:1'], ['a:2', 'a:3', 'a:4']]);
    statements[1]?.finish();
    await Promise.all(queued.slice(0, 3));
    await Promise.resolve();
    expect(statements[2]?.inputs).toEqual(['a:5']);
    statements[2]?.finish();
    expect(await Promise.all(queued)).toEqual(['ok a:2', 'ok a:3', 'ok a:4', 'ok a:5']);
  });

  it('puts one partition in a statement, and never makes one partition wait for another', () => {
    const { batcher, statements } = controlled();
    for (const i of ['a:1', 'a:2', 'b:1', 'a:3', 'c:1', 'b:2']) void batcher.submit(i);
    expect(statements.map((s) => [s.partition, s.inputs])).toEqual([
      ['a', ['a:1']],
      ['b', ['b:1']],
      ['c', ['c:1']],
    ]);
    expect(batcher.batchSizes).toEqual([1, 1, 1]);
  });
});

import { describe, expect, it } from 'vitest';
import { atCount, crossedBy, eventThreshold, stillHolds, thresholdsInForce } from './thresholds.ts';

describe('thresholdsInForce', () => {
  it("is the customer's own list when set, even empty, else the tier's percentages", () => {
    expect(thresholdsInForce(null, [80, 100])).toEqual([
      { kind: 'percent', value: 80 },
      { kind: 'percent', value: 100 },
    ]);
    expect(thresholdsInForce([{ kind: 'count', value: 5 }], [80, 100])).toEqual([{ kind: 'count', value: 5 }]);
    expect(thresholdsInForce([], [80, 100])).toEqual([]);
  });
});

describe('atCount', () => {
  it('rounds a percentage of the quota up, so it is reached, never anticipated', () => {
    expect(atCount({ kind: 'percent', value: 80 }, 1000)).toBe(800);
    expect(atCount({ kind: 'percent', value: 80 }, 7)).toBe(6);
    expect(atCount({ kind: 'percent', value: 33 }, 100)).toBe(33);
    expect(atCount({ kind: 'percent', value: 1 }, 1)).toBe(1);
    expect(atCount({ kind: 'percent', value: 1000 }, 2_000_000_000)).toBe(20_000_000_000);
    // (0.07 × 100 is 7.000000000000001 in floating point; the count is computed as 7 × 100 / 100.)
    expect(atCount({ kind: 'percent', value: 7 }, 100)).toBe(7);
  });

  it('is nothing for a percentage without a quota; a count is itself; exhausted is the quota', () => {
    expect(atCount({ kind: 'percent', value: 80 }, null)).toBeNull();
    expect(atCount({ kind: 'count', value: 42 }, null)).toBe(42);
    expect(atCount({ kind: 'count', value: 42 }, 10)).toBe(42);
    expect(atCount({ kind: 'exhausted', value: 100 }, 500)).toBe(500);
    expect(atCount({ kind: 'exhausted', value: 100 }, null)).toBeNull();
  });
});

describe('crossedBy', () => {
  const tier = thresholdsInForce(null, [80, 100]);

  it('fires a threshold in the one call whose interval holds its count', () => {
    expect(crossedBy(tier, 10, 7, 1)).toEqual([]);
    expect(crossedBy(tier, 10, 8, 1)).toEqual([{ kind: 'percent', value: 80, atCount: 8 }]);
    expect(crossedBy(tier, 10, 9, 1)).toEqual([]);
    expect(crossedBy(tier, 10, 10, 1)).toEqual([
      { kind: 'percent', value: 100, atCount: 10 },
      { kind: 'exhausted', value: 100, atCount: 10 },
    ]);
  });

  it('a call of several units fires every count it covers', () => {
    expect(crossedBy(tier, 10, 10, 5).map((t) => t.kind + t.value)).toEqual(['percent80', 'percent100', 'exhausted100']);
    expect(crossedBy(tier, 10, 7, 5)).toEqual([]);
  });

  it('exhausted fires without a 100% threshold but not with alerts off, and counts fire on an unlimited tier', () => {
    expect(crossedBy([{ kind: 'percent', value: 50 }], 4, 4, 1)).toEqual([{ kind: 'exhausted', value: 100, atCount: 4 }]);
    expect(crossedBy([], 4, 4, 1)).toEqual([]);
    expect(crossedBy([{ kind: 'count', value: 3 }, { kind: 'percent', value: 50 }], null, 3, 1)).toEqual([{ kind: 'count', value: 3, atCount: 3 }]);
  });

  it('over the whole period, each threshold fires exactly once', () => {
    const list = [{ kind: 'percent', value: 25 }, { kind: 'percent', value: 80 }, { kind: 'count', value: 13 }] as const;
    const fired: string[] = [];
    for (let used = 1; used <= 40; used++) fired.push(...crossedBy(list, 40, used, 1).map((t) => `${t.kind}${t.value}@${t.atCount}`));
    expect(fired.sort()).toEqual(['count13@13', 'exhausted100@40', 'percent25@10', 'percent80@32']);
  });
});

describe('stillHolds', () => {
  it('a percentage stops holding when a bigger quota puts its count above usage', () => {
    expect(stillHolds({ kind: 'percent', value: 80 }, 850, 1000)).toBe(true);
    expect(stillHolds({ kind: 'percent', value: 80 }, 850, 2000)).toBe(false);
    expect(stillHolds({ kind: 'percent', value: 80 }, 850, null)).toBe(false);
  });

  it('the quota stops holding under a bigger or no quota; a count always holds', () => {
    expect(stillHolds({ kind: 'exhausted', value: 100 }, 1000, 1000)).toBe(true);
    expect(stillHolds({ kind: 'exhausted', value: 100 }, 1000, 1001)).toBe(false);
    expect(stillHolds({ kind: 'exhausted', value: 100 }, 1000, null)).toBe(false);
    expect(stillHolds({ kind: 'count', value: 500 }, 500, null)).toBe(true);
  });
});

describe('eventThreshold', () => {
  it('names the quota itself as 100 percent', () => {
    expect(eventThreshold({ kind: 'exhausted', value: 100 })).toEqual({ kind: 'percent', value: 100 });
    expect(eventThreshold({ kind: 'count', value: 7 })).toEqual({ kind: 'count', value: 7 });
  });
});

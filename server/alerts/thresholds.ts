import type { AlertKind, Threshold } from '../../shared/alerts.ts';

/**
 * What thresholds mean, in JS. The ledger statement (server/usage/admission/
 * repository.ts) and the resolution statement (./repository.ts) apply the same
 * rules in SQL, on the hot path and without a round trip; these are their
 * reference, for code with the numbers in hand and for the unit tests.
 */

/** A threshold as an alert row holds it: the quota itself is `exhausted` at 100. */
export interface AlertThreshold {
  kind: AlertKind;
  value: number;
}

/** The thresholds in force: the customer's own list (even empty: alerts off), else the tier's percentages. */
export function thresholdsInForce(own: readonly Threshold[] | null, tierPercents: readonly number[]): Threshold[] {
  return own ? [...own] : tierPercents.map((value) => ({ kind: 'percent', value }));
}

/**
 * The count a threshold stands for under quota `limit`: a percentage is
 * ceil(value% × limit), so it needs a quota (null: it never fires); a count is
 * itself; `exhausted` is the quota. An upgrade changes the limit and so the
 * count: that is another threshold, which may fire again in the same period.
 */
export function atCount(t: AlertThreshold, limit: number | null): number | null {
  if (t.kind === 'count') return t.value;
  if (limit === null) return null;
  // value × limit is an exact integer, so the quotient is exact whenever it is whole: ceil never overshoots.
  return t.kind === 'exhausted' ? limit : Math.ceil((t.value * limit) / 100);
}

/**
 * The thresholds one call fires: those whose count lies in the interval the
 * call covers, (usedAfter − units, usedAfter]. The counter is exact, so each
 * count is covered by exactly one call. The quota itself (`exhausted`) is
 * among them whenever there is a quota and any threshold at all: an empty
 * list turns alerts off.
 */
export function crossedBy(thresholds: readonly Threshold[], limit: number | null, usedAfter: number, units: number): (AlertThreshold & { atCount: number })[] {
  const all: AlertThreshold[] = [...thresholds, ...(limit === null || thresholds.length === 0 ? [] : [{ kind: 'exhausted' as const, value: 100 }])];
  const out: (AlertThreshold & { atCount: number })[] = [];
  for (const t of all) {
    const at = atCount(t, limit);
    if (at !== null && at > usedAfter - units && at <= usedAfter) out.push({ ...t, atCount: at });
  }
  return out;
}

/**
 * Whether a fired threshold still holds for a user now at `used` of `limit`
 * in the same period. A count holds once reached (an upgrade cannot undo it);
 * a percentage and the quota hold while usage is at or over their count under
 * the current limit, and never on an unlimited tier.
 */
export function stillHolds(t: AlertThreshold, used: number, limit: number | null): boolean {
  if (t.kind === 'count') return true;
  const at = atCount(t, limit);
  return at !== null && used >= at;
}

/** How events name an alert's threshold: the quota itself is 100 percent. */
export function eventThreshold(t: AlertThreshold): Threshold {
  return t.kind === 'exhausted' ? { kind: 'percent', value: 100 } : { kind: t.kind, value: t.value };
}

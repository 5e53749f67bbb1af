import type { AdmissionRow } from './repository.ts';

/** The outcome of an admission: the numbers every rate-limit header is made of. */
export interface Admission {
  demo: boolean;
  userId: string | null;
  keyId: string | null;
  clientIp: string | null;
  /** null = unlimited */
  limit: number | null;
  used: number;
  remaining: number | null;
  /** The key of the period charged (the counter's and the ledger row's `period`). */
  period: string;
  /** The period as the admission statement decided it: its first instant and the next period's (the reset). */
  periodStart: Date;
  resetAt: Date;
  /** When the database admitted the call; the ledger row's time. */
  at: Date;
}

/**
 * Whether one call of an admission statement got in, and the count to
 * report. This is where the quota rule meets its numbers: calls admitted
 * together are numbered as if they had come one after another; a refusal
 * means used + units > limit when the row was locked, and the count the
 * statement saw may predate concurrent admissions, so a single-unit refusal
 * never reports less than the limit.
 */
export function outcome(row: AdmissionRow, units: number): { admitted: boolean; used: number } {
  const admitted = row.nth <= row.admitted;
  if (admitted && row.used_after !== null) return { admitted, used: row.used_after - (row.admitted - row.nth) * units };
  return { admitted: false, used: Math.max(row.used_after ?? row.used_seen ?? 0, units === 1 ? (row.quota ?? 0) : 0) };
}

/** The admission a statement's row and its outcome describe, for `who` was charged. */
export function toAdmission(
  row: AdmissionRow,
  decided: { used: number },
  who: { demo: boolean; userId: string | null; keyId: string | null; clientIp: string | null },
): Admission {
  return {
    ...who,
    limit: row.quota,
    used: decided.used,
    remaining: row.quota === null ? null : Math.max(0, row.quota - decided.used),
    period: row.period,
    periodStart: new Date(row.period_start_ms),
    resetAt: new Date(row.period_end_ms),
    at: new Date(row.at_ms),
  };
}

import { InvalidArgumentError } from 'commander';
import { z } from 'zod';

/**
 * A failure the CLI reports as it is, with its own exit code: 1 when nothing
 * could be done (no database, a key already revoked), as opposed to 2 for bad input.
 */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

const DAY_MS = 86_400_000;
const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

export const EXPIRES_HELP =
  'when the key stops working: a date (2027-01-31: the key works through that day, until 2027-02-01T00:00:00Z) or a date-time with a zone (2027-01-31T18:00:00Z, 2027-01-31T18:00:00+01:00)';

/**
 * `--expires`: a calendar date means the key works through that whole day in
 * UTC, so it expires at the next midnight UTC; a date-time must say its zone,
 * since guessing the operator's zone would move the expiry by hours.
 */
export function parseExpiry(value: string, now = Date.now()): Date {
  let at: Date;
  if (isoDate.safeParse(value).success) at = new Date(Date.parse(`${value}T00:00:00Z`) + DAY_MS);
  else if (isoDateTime.safeParse(value).success) at = new Date(value);
  else throw new InvalidArgumentError('Expected a date such as 2027-01-31 or a date-time with a zone such as 2027-01-31T18:00:00Z.');
  if (at.getTime() <= now) throw new InvalidArgumentError(`It must be in the future; it would expire at ${at.toISOString()}.`);
  return at;
}

/** `--limit` and the like: a whole number from 1 to max. */
export function positiveInt(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InvalidArgumentError(`Expected a whole number from 1 to ${max}.`);
    return n;
  };
}

/** Rows as aligned columns, for people rather than parsers (every command's output is also one line per item). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

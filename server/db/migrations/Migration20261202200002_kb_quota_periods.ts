import { Migration } from '@mikro-orm/migrations';

const ENTRY = 'cb14fcd0-fd7f-5dec-9192-c8e8b93ac2f3';
const CALENDAR = '- A period is a **calendar month in UTC**. Counting starts again at 00:00 UTC on the first day of the next month.';
const ANCHORED =
  '- A period is a **calendar month in UTC**, counting again from 00:00 UTC on the first day of the next month; while you have a live subscription, it runs from one renewal to the next instead (a renewal day of the 31st falls on 28 or 29 February, then 31 March). `X-RateLimit-Reset` always says when yours ends.\n' +
  '- Subscribing mid-month starts a fresh count for the new period; the calls of the month so far stay counted in that month. When a subscription ends, counting goes back to the calendar month. Every call is counted once.';

/** The revision, for the seed's test: the entry, the text it replaces and the new text. */
export const KB_QUOTA_PERIODS_REVISION = { id: ENTRY, from: CALENDAR, to: ANCHORED };

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const rewrite = (from: string, to: string) =>
  `update kb_entries set body = replace(body, ${literal(from)}, ${literal(to)}), updated_at = now()
    where id = ${literal(ENTRY)} and position(${literal(from)} in body) > 0`;

/**
 * The seeded knowledge-base entry on quotas said periods are always calendar
 * months; with periods that follow the billing period (issue 14) it says both.
 * `replace` leaves an entry an operator has reworded alone.
 */
export class Migration20261202200002_kb_quota_periods extends Migration {
  override up(): void {
    this.addSql(rewrite(CALENDAR, ANCHORED));
  }

  override down(): void {
    this.addSql(rewrite(ANCHORED, CALENDAR));
  }
}

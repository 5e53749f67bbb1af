import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../sources/politeness.ts';
import { TEST_DATABASE_PREFIX } from './database.ts';

/**
 * A clock that moves only when the test says so. Code under test sleeps on it
 * (politeness spacing), so a test asserts exact intervals, and a busy machine
 * can make the test slower but never wrong.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly sleepers: { at: number; resolve: () => void }[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const sleeper = {
        at: this.current + ms,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** How many sleeps are still waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves the clock on and wakes, in time order, every sleeper that is due. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.at <= this.current).sort((a, b) => a.at - b.at);
    for (const s of due) {
      this.sleepers.splice(this.sleepers.indexOf(s), 1);
      s.resolve();
    }
  }
}

/**
 * Sets the database clock periods are read by (`harmonic_now()`, see
 * server/usage/admission/period.ts) in this test's own database: a fixed
 * instant, an offset from the real clock, or (null) the real clock again.
 * It redefines the function, which invalidates every cached plan inlining it,
 * so every instance on the database follows from its next statement. Only a
 * test database (each test file has its own, server/testing/database.ts) may
 * be changed: production never redefines harmonic_now().
 */
export async function setDatabaseClock(em: EntityManager, at: Date | { offsetMs: number } | null): Promise<void> {
  const body =
    at === null
      ? 'select now()'
      : at instanceof Date
        ? `select '${at.toISOString()}'::timestamptz`
        : `select now() + ${Math.trunc(at.offsetMs)} * interval '1 millisecond'`;
  const [db] = await em.fork().execute<{ name: string }[]>(`select current_database() as name`);
  if (!db?.name.startsWith(TEST_DATABASE_PREFIX)) throw new Error(`refusing to set the clock of ${db?.name ?? 'an unknown database'}: not a test database`);
  await em.fork().execute(`create or replace function harmonic_now() returns timestamptz language sql stable parallel safe as $$ ${body} $$`);
}

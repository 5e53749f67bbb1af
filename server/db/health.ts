import type { Orm } from './orm.ts';

export interface DatabaseStatus {
  up: boolean;
  latencyMs: number;
  error?: string;
}

/** Answers /readyz: can we run a query right now, within a short deadline? */
export class DatabaseHealth {
  private readonly orm: Orm;
  constructor(orm: Orm) {
    this.orm = orm;
  }

  async check(timeoutMs = 2_000): Promise<DatabaseStatus> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const pool = await this.orm.em.getConnection().getNativeClient();
      await Promise.race([
        pool.query('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { up: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { up: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}

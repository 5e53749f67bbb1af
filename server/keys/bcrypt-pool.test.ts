import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { BcryptPool } from './bcrypt-pool.ts';

let pool: BcryptPool | undefined;
afterEach(() => pool?.close());

describe('BcryptPool', () => {
  it('hashes and compares on its worker threads (the .ts worker loads as Node runs it)', async () => {
    pool = new BcryptPool({ threads: 1 });
    const hash = await pool.hash('hm_secret', 4);
    expect(await bcrypt.compare('hm_secret', hash), 'a real bcrypt hash').toBe(true);
    expect(await pool.compare('hm_secret', hash)).toBe(true);
    expect(await pool.compare('hm_other', hash)).toBe(false);
    expect(pool.compares).toBe(2);
  });

  it('refuses work beyond its queue with a 503 and Retry-After instead of queueing forever', async () => {
    pool = new BcryptPool({ threads: 1, maxQueue: 2 });
    const hash = await bcrypt.hash('x', 4);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => pool?.compare('x', hash)));
    const refusals = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
    expect(refusals.length).toBeGreaterThan(0);
    for (const err of refusals) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, headers: { 'Retry-After': '1' } });
    }
  });
});

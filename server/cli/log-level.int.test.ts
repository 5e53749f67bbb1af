import { describe, expect, it } from 'vitest';
import { spawnHarmonic } from '../testing/process.ts';

// The CLI reads LOG_LEVEL through the same parsed config as the server, so a bad value is named, not ignored.
describe('npx harmonic and LOG_LEVEL', { timeout: 120_000 }, () => {
  it('refuses an unknown level, naming the variable, before touching any database', async () => {
    const proc = spawnHarmonic({
      command: [process.execPath, 'server/cli/harmonic.ts', 'users', 'list'],
      env: { LOG_LEVEL: 'loud', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    const { code } = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.output()).toMatch(/LOG_LEVEL="loud"/);
    expect(proc.output()).not.toMatch(/ECONNREFUSED/);
  });
});

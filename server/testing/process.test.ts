import { describe, expect, it } from 'vitest';
import { spawnHarmonic, waitUntilReady, waitUntilServing } from './process.ts';

/** A start-up that fails must fail the hook at once, saying why, not after a timeout. */
describe('waiting for a server process', () => {
  it('rejects with the output as soon as the process exits before its banner', async () => {
    const proc = spawnHarmonic({ command: [process.execPath, '-e', 'console.error("Invalid configuration: PORT"); process.exit(1)'] });
    await expect(waitUntilServing(proc)).rejects.toThrow(/process exited before .*Harmonic is running[\s\S]*Invalid configuration: PORT/);
  });

  it('rejects with the output when the process exits before /readyz is green', async () => {
    const proc = spawnHarmonic({ command: [process.execPath, '-e', 'console.log("migrations failed")'] });
    await proc.exited;
    // Port 9 has nothing listening; the exit, not the refused connection, is what ends the wait.
    await expect(waitUntilReady('http://127.0.0.1:9', proc)).rejects.toThrow(/exited before it was ready; output:\nmigrations failed/);
  });
});

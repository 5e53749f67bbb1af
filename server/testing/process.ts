import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { OFFLINE_UPSTREAMS } from './server.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface HarmonicProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the whole process group (npm and the node it runs). */
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts Harmonic as a separate process, the way an operator would: `npm start`
 * by default, or another command line. The environment is clean of DATABASE_URL
 * unless given, so the zero-setup path is what runs.
 */
export function spawnHarmonic(opts: { command?: string[]; env?: Record<string, string>; cwd?: string } = {}): HarmonicProcess {
  const [cmd, ...args] = opts.command ?? ['npm', 'start', '--silent'];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['DATABASE_URL', 'PORT', 'HARMONIC_DATA_DIR', 'NODE_ENV'].includes(k) && !k.startsWith('VITEST')) env[k] = v;
  }
  const child = spawn(cmd ?? 'npm', args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  return {
    child,
    output: () => out,
    exited,
    kill(signal) {
      if (child.pid) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
    },
    waitFor(pattern, timeoutMs = STARTUP_CEILING_MS) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`process exited before ${pattern}; output:\n${out.slice(-3000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.removeListener('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/**
 * How long a start-up may take before a test calls it hung. A ceiling, not a
 * budget: on a loaded 2-core machine a start can take tens of seconds, and hooks
 * that start servers allow more than this, so a hang fails with the output below
 * rather than a bare test timeout.
 */
export const STARTUP_CEILING_MS = 150_000;

/**
 * Waits for the "Harmonic is running at http://localhost:<port> (pid <pid>)"
 * banner and returns the base URL and the server's own pid, so a test can
 * signal the server itself as a process supervisor would, not npm. Rejects at
 * once, with the output, if the process exits first.
 */
export async function waitUntilServing(proc: HarmonicProcess, timeoutMs = STARTUP_CEILING_MS): Promise<{ url: string; pid: number }> {
  const m = await proc.waitFor(/│ Harmonic is running at http:\/\/localhost:(\d+) \(pid (\d+)\)/, timeoutMs);
  return { url: `http://127.0.0.1:${m[1]}`, pid: Number(m[2]) };
}

/**
 * Polls `GET /readyz` until it answers 200. Rejects, with the process's output,
 * as soon as the process exits, or after `timeoutMs` (a hang).
 */
export async function waitUntilReady(url: string, proc: HarmonicProcess, timeoutMs = STARTUP_CEILING_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`the server at ${url} exited before it was ready; output:\n${proc.output().slice(-3000)}`);
    }
    // Each attempt has its own ceiling, so a server that accepts but never answers is retried, not waited on for good.
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      (err: unknown) => String(err),
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the server at ${url} was not ready after ${timeoutMs} ms (last /readyz: ${status}); output:\n${proc.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A server process on an existing database (DATABASE_URL), on a free port,
 * started and ready: its banner printed and /readyz green.
 */
export async function spawnServer(databaseUrl: string, env: Record<string, string> = {}): Promise<{ url: string; pid: number; proc: HarmonicProcess }> {
  const proc = spawnHarmonic({
    command: [process.execPath, 'server/main.ts'],
    env: { DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...OFFLINE_UPSTREAMS, ...env },
  });
  try {
    const { url, pid } = await waitUntilServing(proc);
    await waitUntilReady(url, proc);
    return { url, pid, proc };
  } catch (err) {
    // A server that never said it was ready must not outlive the test or benchmark that started it.
    proc.kill('SIGKILL');
    throw err;
  }
}

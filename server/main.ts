import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { ADMIN_BASE } from './spa.ts';

/** `npm start`: bring Harmonic up and keep graceful shutdown in our hands. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);

  let runtime: Runtime | undefined;
  let shuttingDown = false;
  const shutdown = (reason: string, exitCode: number) => {
    if (shuttingDown) {
      // A second Ctrl-C means "now"; a repeated SIGTERM from a supervisor does not.
      if (reason !== 'SIGINT') return;
      logger.warn({ reason }, 'second interrupt: exiting immediately');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    void (runtime?.stop() ?? Promise.resolve()).then(
      () => {
        logger.info('stopped');
        process.exit(exitCode);
      },
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));

  try {
    runtime = await startRuntime(config, logger);
    await runtime.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    logger.fatal({ err }, `Harmonic could not start: ${(err as Error).message}`);
    await runtime?.stop().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    process.exit(1);
  }
  void runtime.database.embedded?.unexpectedExit.then(() => shutdown('embedded PostgreSQL exited', 1));

  const address = runtime.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://localhost:${port}`;
  logger.info({ port, database: runtime.database.description }, `Harmonic is running at http://localhost:${port}`);
  // How to sign in goes to the terminal, not the log: a generated password must not end up in log storage.
  process.stdout.write(signInBanner(url, runtime.bootstrap));
}

function signInBanner(url: string, bootstrap: Runtime['bootstrap']): string {
  const admin = `${url}${ADMIN_BASE}/`;
  const lines = [`Harmonic is running at ${url} (pid ${process.pid})`, `Customer portal: ${url}/`, `Admin app:       ${admin}`];
  if (bootstrap?.password) {
    lines.push(
      `Sign in at ${admin} as ${bootstrap.email}`,
      `Password: ${bootstrap.password}`,
      'This password was generated now and is shown only this once. Change it after signing in,',
      `or set a new one with: npx harmonic admin reset-password ${bootstrap.email}`,
    );
  } else if (bootstrap) {
    lines.push(`Sign in at ${admin} as ${bootstrap.email} with the password from HARMONIC_ADMIN_PASSWORD.`);
  } else {
    lines.push(`Sign in at ${admin} with your admin account. Forgot the password? npx harmonic admin reset-password <email>`);
  }
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '─'.repeat(width + 2);
  return `\n┌${rule}┐\n${lines.map((l) => `│ ${l.padEnd(width)} │`).join('\n')}\n└${rule}┘\n\n`;
}

await main();

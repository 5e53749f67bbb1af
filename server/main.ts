import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { startRuntime, type Runtime } from './runtime.ts';

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
  logger.info({ port, database: runtime.database.description }, `Harmonic is running at http://localhost:${port}`);
}

await main();

#!/usr/bin/env node
/**
 * The operator CLI: `npx harmonic <command>`. It runs the same services as the
 * server, against DATABASE_URL or the embedded database (sharing it with a
 * running server when there is one).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { registerAdminCommands } from './admin.ts';
import { registerDbCommands } from './db.ts';
import { registerKeyCommands } from './keys.ts';
import { registerUserCommands } from './users.ts';

const program = new Command('harmonic')
  .description('Operate a Harmonic installation from the command line.')
  .showHelpAfterError()
  .exitOverride();

registerAdminCommands(program);
registerUserCommands(program);
registerKeyCommands(program);
registerDbCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError || err instanceof AppError) {
    process.stderr.write(`harmonic: ${err.message}\n`);
    process.exit(err instanceof AppError && err.status < 500 ? 2 : 1);
  }
  process.stderr.write(`harmonic: ${(err as Error).message}\n`);
  process.exit(1);
}

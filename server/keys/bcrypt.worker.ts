/**
 * Runs in the bcrypt worker threads (server/keys/bcrypt-pool.ts), loaded by
 * Node itself (type stripping), so it imports nothing of ours. The synchronous
 * calls are right here: a worker does one task at a time and blocking it is
 * the point, since it keeps the work off the event loop.
 */
import bcrypt from 'bcryptjs';

export interface CompareTask {
  plaintext: string;
  hash: string;
}

export interface HashTask {
  plaintext: string;
  cost: number;
}

export function compare(task: CompareTask): boolean {
  return bcrypt.compareSync(task.plaintext, task.hash);
}

export function hash(task: HashTask): string {
  return bcrypt.hashSync(task.plaintext, task.cost);
}

import os from 'node:os';
import type { Actor } from '../audit/service.ts';

/** The operator at the terminal, as the audit log names them. */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // containers without a passwd entry
  }
  return { type: 'cli', id: null, label: `cli:${user}@${os.hostname()}`, ip: null };
}

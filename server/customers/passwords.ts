import { dictionary } from '@zxcvbn-ts/language-common';
import { validationError } from '../errors.ts';

/**
 * The passwords every cracker tries first that our length rule lets through: zxcvbn's list of
 * common passwords (from real breaches), only those of 12 characters or more, a few hundred.
 * Built on first use, so a process that never checks a password never decompresses the list.
 */
let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common'].filter((p) => p.length >= 12)));

/** A single character repeated (`aaaaaaaaaaaa`) or the account's own email: as weak as a common one. */
function trivial(password: string, email: string): boolean {
  return /^(.)\1*$/u.test(password) || password.toLowerCase() === email.toLowerCase();
}

/**
 * Refuses a new password that is common or trivial, naming the field (the shared schema has
 * already checked its length). Server-side only: the list is too big to ship to browsers.
 */
export function assertStrongPassword(password: string, email: string, field = 'password'): void {
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || trivial(password, email)) {
    throw validationError([{ field, message: 'is too common and easy to guess; choose another (a few unrelated words make a strong one)' }]);
  }
}

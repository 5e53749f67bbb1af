import { ConnectionException } from '@mikro-orm/core';
import { AppError } from '../errors.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * True when an error means "PostgreSQL cannot be reached right now" rather
 * than "this query is wrong": refused or dropped connections, a server
 * shutting down or starting up (SQLSTATE 57P01-57P03), connection exceptions
 * (class 08), and pool timeouts.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConnectionException) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^57P0[123]$/.test(code) || /^08/.test(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
      return true;
    }
  }
  return false;
}

/** What the caller sees while the database is down: a fast 503, never a hang or a 500. */
export function databaseUnavailable(cause: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; try again in a few seconds', {
    headers: { 'Retry-After': '5' },
    cause,
  });
}

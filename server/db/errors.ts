import { ConnectionException } from '@mikro-orm/core';
import { AppError, retryAfterHeaders } from '../errors.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** The errors (and their causes, a few levels down) that an error stands for. */
function* chain(err: unknown): Generator<object> {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

const sqlState = (e: object): string | undefined => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

/**
 * True when PostgreSQL or the driver refused a value, not the connection:
 * SQLSTATE class 22 (data exception: bad encoding, NUL, out of range…),
 * 08P01 (protocol violation: a NUL inside statement text cuts the message
 * short), and the driver's own failures to encode a parameter (circular
 * values, BigInt in JSON). Retrying cannot help, and it is not an outage.
 */
export function isBadDataError(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = sqlState(e);
    if (code && (code.startsWith('22') || code === '08P01')) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /circular reference detected while preparing|Converting circular structure to JSON|Do not know how to serialize a BigInt/.test(message)) return true;
  }
  return false;
}

/**
 * True when an error means "PostgreSQL cannot be reached right now" rather
 * than "this query is wrong": refused or dropped connections, a server
 * shutting down or starting up (SQLSTATE 57P01-57P03), connection exceptions
 * (class 08, except 08P01, which a bad value causes), and pool timeouts.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  // MikroORM wraps any class-08 state, 08P01 included, in a ConnectionException: the value decides first.
  if (isBadDataError(err)) return false;
  for (const e of chain(err)) {
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
    headers: retryAfterHeaders(5),
    cause,
  });
}

import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * The one table that maps Harmonic's domain errors to HTTP statuses (REST) and
 * tRPC codes. Services throw AppError with one of these codes and never think
 * about transports.
 */
export const ERROR_TABLE = {
  VALIDATION_FAILED: { status: 400, trpc: 'BAD_REQUEST' },
  BAD_REQUEST: { status: 400, trpc: 'BAD_REQUEST' },
  UNAUTHORIZED: { status: 401, trpc: 'UNAUTHORIZED' },
  FORBIDDEN: { status: 403, trpc: 'FORBIDDEN' },
  USER_SUSPENDED: { status: 403, trpc: 'FORBIDDEN' },
  NOT_FOUND: { status: 404, trpc: 'NOT_FOUND' },
  METHOD_NOT_ALLOWED: { status: 405, trpc: 'METHOD_NOT_SUPPORTED' },
  CONFLICT: { status: 409, trpc: 'CONFLICT' },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: 'PAYLOAD_TOO_LARGE' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: 'UNSUPPORTED_MEDIA_TYPE' },
  HEADERS_TOO_LARGE: { status: 431, trpc: 'BAD_REQUEST' },
  QUOTA_EXCEEDED: { status: 429, trpc: 'TOO_MANY_REQUESTS' },
  RATE_LIMITED: { status: 429, trpc: 'TOO_MANY_REQUESTS' },
  INTERNAL: { status: 500, trpc: 'INTERNAL_SERVER_ERROR' },
  SERVICE_UNAVAILABLE: { status: 503, trpc: 'SERVICE_UNAVAILABLE' },
} as const satisfies Record<string, { status: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface FieldIssue {
  /** Dotted path of the failing field, e.g. `sources.2`. Empty for the body as a whole. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra, safe-to-show facts for the client, e.g. `{ limit, used, resetAt }`. */
  readonly details: Record<string, unknown> | undefined;
  /** Response headers that belong to this error, e.g. `Retry-After`. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  get status(): number {
    return ERROR_TABLE[this.code].status;
  }
}

/**
 * `Retry-After` in whole seconds, at least one: the one way every refusal that
 * says when to come back (quota, throttles, a full worker queue) states it.
 */
export function retryAfterHeaders(seconds: number): Record<string, string> {
  return { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) };
}

/** Turns zod-style issues into one readable message that names every field. */
export function validationError(issues: FieldIssue[]): AppError {
  const message = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ');
  return new AppError('VALIDATION_FAILED', message || 'Invalid input', { details: { issues } });
}

/** The body every REST error answers with. A 500 never carries the underlying message. */
export function errorBody(err: AppError): { error: Record<string, unknown> } {
  // A 503's message is ours ("the database is unavailable"), never the driver's; other 5xx say nothing.
  const safeMessage = err.status >= 500 && err.code !== 'SERVICE_UNAVAILABLE' ? 'Internal server error' : err.message;
  return { error: { code: err.code, message: safeMessage, ...(err.status < 500 ? err.details : {}) } };
}

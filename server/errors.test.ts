import { describe, expect, it } from 'vitest';
import { AppError, ERROR_TABLE, errorBody, validationError } from './errors.ts';

describe('the error table', () => {
  it('maps every domain code to a 4xx/5xx status and a tRPC code', () => {
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.trpc, code).toMatch(/^[A-Z_]+$/);
    }
  });

  it('renders REST errors as { error: { code, message, ...details } }', () => {
    const err = new AppError('QUOTA_EXCEEDED', 'Monthly quota exceeded', { details: { limit: 1000, used: 1000 } });
    expect(err.status).toBe(429);
    expect(errorBody(err)).toEqual({ error: { code: 'QUOTA_EXCEEDED', message: 'Monthly quota exceeded', limit: 1000, used: 1000 } });
  });

  it('never leaks the message or details of a 500', () => {
    const err = new AppError('INTERNAL', 'connection to 10.0.0.5 refused', { details: { stack: 'x' } });
    expect(errorBody(err)).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
  });

  it('names each failing field in a validation error', () => {
    const err = validationError([
      { field: 'query', message: 'Too small' },
      { field: 'sources.1', message: 'Unknown source' },
    ]);
    expect(err.status).toBe(400);
    expect(err.message).toBe('query: Too small; sources.1: Unknown source');
  });
});

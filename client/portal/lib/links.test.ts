import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { linkProblem } from './links.ts';

const refused = (issues: { field: string; message: string }[]) =>
  new TRPCClientError('refused', { result: { error: { code: -32600, message: 'refused', data: { httpStatus: 400, code: 'BAD_REQUEST', issues } } } });

describe('linkProblem', () => {
  it('reads the token issue as a sentence about the link', () => {
    expect(linkProblem(refused([{ field: 'token', message: 'has expired; ask for a new link' }]))).toBe('The link has expired; ask for a new link.');
    expect(linkProblem(refused([{ field: 'token', message: 'was already used' }]))).toBe('The link was already used.');
  });

  it('is null for failures that are not about the link', () => {
    expect(linkProblem(refused([{ field: 'password', message: 'is too common' }]))).toBeNull();
    expect(linkProblem(new TypeError('Failed to fetch'))).toBeNull();
  });
});

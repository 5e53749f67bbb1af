import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import { createTierSchema } from '../../../shared/admin.ts';
import { applyServerError, issuesToErrors, sentence, sharedSchemaResolver } from './forms.ts';

describe('sentence', () => {
  it('capitalises and ends a server message', () => {
    expect(sentence('must not be empty')).toBe('Must not be empty.');
    expect(sentence('Already fine!')).toBe('Already fine!');
    expect(sentence('')).toBe('');
  });
});

describe('issuesToErrors', () => {
  it('nests dotted paths and keeps the first message per field', () => {
    expect(issuesToErrors([{ field: 'name', message: 'must not be empty' }, { field: 'name', message: 'second' }, { field: 'tags.1', message: 'too long' }, { field: '', message: 'bad body' }])).toEqual({
      name: { type: 'validate', message: 'Must not be empty.' },
      tags: { 1: { type: 'validate', message: 'Too long.' } },
      root: { type: 'validate', message: 'Bad body.' },
    });
  });
});

describe('sharedSchemaResolver', () => {
  // The tier form holds strings; the schema wants numbers in cents.
  const resolver = sharedSchemaResolver(
    createTierSchema,
    (v: { name: string; quota: string; price: string }) => ({ name: v.name, monthlyQuota: Number(v.quota), priceCents: v.price === '' ? null : Math.round(Number(v.price) * 100) }),
    (p) => (p === 'monthlyQuota' ? 'quota' : p === 'priceCents' ? 'price' : p),
  );
  const run = (values: { name: string; quota: string; price: string }) => resolver(values, undefined, { fields: {}, shouldUseNativeValidation: false });

  it('hands the parsed input to the submit handler', async () => {
    expect(await run({ name: ' Team ', quota: '5000', price: '49' })).toEqual({ values: { name: 'Team', monthlyQuota: 5000, priceCents: 4900, description: '' }, errors: {} });
  });
  it('puts the shared schema’s messages on the form’s own fields', async () => {
    const result = await run({ name: '', quota: '-1', price: '' });
    expect(result.values).toEqual({});
    expect(result.errors).toEqual({ name: { type: 'validate', message: 'Must not be empty.' }, quota: { type: 'validate', message: 'Must not be negative.' } });
  });
});

describe('applyServerError', () => {
  const serverError = (data: unknown, message = 'email: is already taken') => new TRPCClientError(message, { result: { error: { message, code: -32600, data } } });

  it('puts issues under the fields the form has and returns the rest', () => {
    const setError = vi.fn();
    const left = applyServerError(serverError({ httpStatus: 409, issues: [{ field: 'email', message: 'is already taken' }, { field: 'tierId', message: 'unknown tier' }] }), setError, ['email', 'name']);
    expect(setError).toHaveBeenCalledWith('email', { type: 'server', message: 'Is already taken.' }, { shouldFocus: true });
    expect(left).toBe('TierId: unknown tier.');
  });
  it('returns the message when the error names no field', () => {
    const setError = vi.fn();
    expect(applyServerError(serverError({ httpStatus: 409 }, '2 users are on Pro; move them all to another tier first'), setError, ['name'])).toBe('2 users are on Pro; move them all to another tier first');
    expect(setError).not.toHaveBeenCalled();
  });
});

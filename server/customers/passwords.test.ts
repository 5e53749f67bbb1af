import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { assertStrongPassword } from './passwords.ts';

const refusal = (password: string, email = 'ada@example.com', field?: string) => {
  try {
    assertStrongPassword(password, email, field);
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, issues: err.details?.['issues'] };
  }
};

describe('assertStrongPassword', () => {
  it('refuses the breached passwords long enough to pass the length rule, whatever their case', () => {
    for (const p of ['password1234', 'PASSWORD1234', 'qwertyuiop123', '123456789012', '1qaz2wsx3edc']) {
      expect(refusal(p), p).toEqual({
        code: 'VALIDATION_FAILED',
        issues: [{ field: 'password', message: 'is too common and easy to guess; choose another (a few unrelated words make a strong one)' }],
      });
    }
  });

  it('refuses one character repeated, and the account’s own email, naming the field it was given', () => {
    expect(refusal('zzzzzzzzzzzzzz')?.code).toBe('VALIDATION_FAILED');
    expect(refusal('Ada@Example.com', 'ada@example.com', 'newPassword')?.issues).toEqual([
      { field: 'newPassword', message: 'is too common and easy to guess; choose another (a few unrelated words make a strong one)' },
    ]);
  });

  it('accepts a passphrase', () => {
    expect(refusal('correct horse battery staple')).toBeNull();
    expect(refusal('a much better passphrase')).toBeNull();
  });
});

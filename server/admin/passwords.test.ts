import { describe, expect, it } from 'vitest';
import { passwordSchema } from '../../shared/admin.ts';
import { generatePassword } from './passwords.ts';

describe('generated admin passwords', () => {
  it('are long, unambiguous, unique, and pass the password policy', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{6}(-[A-HJ-NP-Za-km-z2-9]{6}){3}$/);
      expect(passwordSchema.safeParse(p).success).toBe(true);
      seen.add(p);
    }
    expect(seen.size).toBe(500);
  });

  it('the policy refuses short passwords and ones bcrypt would truncate', () => {
    expect(passwordSchema.safeParse('short').error?.issues[0]?.message).toBe('must be at least 12 characters');
    expect(passwordSchema.safeParse('é'.repeat(40)).error?.issues[0]?.message).toBe('must be at most 72 bytes');
  });
});

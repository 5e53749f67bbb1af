import { describe, expect, it } from 'vitest';
import { actionTone, describeDetails } from './audit.ts';

describe('describeDetails', () => {
  it('shows changes as from → to and other facts as key: value', () => {
    expect(describeDetails({ name: { from: 'Lin', to: 'Lin Wu' }, tier: { from: 'Free', to: 'Pro' }, keysRevoked: 1, masked: 'hm_Ab…', gone: null })).toEqual([
      'name: Lin → Lin Wu',
      'tier: Free → Pro',
      'keysRevoked: 1',
      'masked: hm_Ab…',
    ]);
    expect(describeDetails({ monthlyQuota: { from: 1000, to: null }, tags: ['a', 'b'] })).toEqual(['monthlyQuota: 1000 → —', 'tags: ["a","b"]']);
  });
});

describe('actionTone', () => {
  it('colours removals, changes and creations', () => {
    expect(actionTone('key.revoked')).toBe('red');
    expect(actionTone('user.updated')).toBe('amber');
    expect(actionTone('key.created')).toBe('green');
    expect(actionTone('admin.signed_in')).toBe('neutral');
  });
});

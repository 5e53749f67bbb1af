import { describe, expect, it } from 'vitest';
import { appRouter } from '../../../server/routers/root.ts';
import { AFFECTED_BY } from './invalidation.ts';

describe('portal cache invalidation', () => {
  it('declares what a write refreshes for every portal domain that has a mutation, and only real domains', () => {
    const procedures = Object.entries(appRouter._def.procedures).filter(([path]) => path.startsWith('portal.'));
    const withMutations = new Set(procedures.filter(([, proc]) => (proc as unknown as { _def: { type: string } })._def.type === 'mutation').map(([path]) => path.split('.')[1]));
    const all = new Set(procedures.map(([path]) => path.split('.')[1]));
    expect(withMutations.size).toBeGreaterThan(2);
    for (const domain of withMutations) expect(Object.keys(AFFECTED_BY), `portal.${domain}`).toContain(domain);
    for (const [domain, affected] of Object.entries(AFFECTED_BY)) for (const d of [domain, ...affected]) expect([...all], d).toContain(d);
  });

  it('refreshes the signed-in customer after a change to the account', () => {
    expect(AFFECTED_BY.account).toContain('auth');
  });
});

import { describe, expect, it } from 'vitest';
import { appRouter } from '../../../server/routers/root.ts';
import { AFFECTED_BY } from './invalidation.ts';

describe('SPA cache invalidation', () => {
  it('declares what a write refreshes for every admin domain that has a mutation', () => {
    const domains = new Set(
      Object.entries(appRouter._def.procedures)
        .filter(([path, proc]) => path.startsWith('admin.') && (proc as unknown as { _def: { type: string } })._def.type === 'mutation')
        .map(([path]) => path.split('.')[1]),
    );
    expect(domains.size).toBeGreaterThan(3);
    for (const domain of domains) expect(Object.keys(AFFECTED_BY), `admin.${domain}`).toContain(domain);
  });

  it('refreshes the audit log after every write, since every admin write is audited', () => {
    for (const [domain, affected] of Object.entries(AFFECTED_BY)) expect(affected, domain).toContain('audit');
  });
});

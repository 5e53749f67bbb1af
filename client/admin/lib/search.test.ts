import { describe, expect, it } from 'vitest';
import { auditInput, auditSearchSchema, billingSearchSchema, playgroundSearchSchema, safeNext, signInSearchSchema, userSearchSchema, usersSearchSchema } from './search.ts';

describe('safeNext', () => {
  it('keeps paths inside the app', () => {
    expect(safeNext('/users?q=ada&page=2')).toBe('/users?q=ada&page=2');
    expect(safeNext('/')).toBe('/');
  });
  it('refuses other origins, protocol-relative and backslash tricks, and the sign-in page', () => {
    for (const bad of ['https://evil.example', '//evil.example/x', '/\\evil.example', 'users', '/sign-in', '/sign-in?next=/x', '', 42, undefined]) {
      expect(safeNext(bad)).toBeUndefined();
    }
  });
  it('is applied by the sign-in search schema', () => {
    expect(signInSearchSchema.parse({ next: '//evil' })).toEqual({ next: undefined });
    expect(signInSearchSchema.parse({ next: '/audit' })).toEqual({ next: '/audit' });
  });
});

describe('users search', () => {
  it('fills defaults', () => {
    expect(usersSearchSchema.parse({})).toEqual({ sort: 'createdAt', order: 'desc', page: 1 });
  });
  it('keeps valid filters and turns bad values into defaults instead of failing', () => {
    expect(usersSearchSchema.parse({ q: ' ada ', status: 'suspended', sort: 'email', order: 'asc', page: '3' })).toEqual({
      q: 'ada',
      status: 'suspended',
      sort: 'email',
      order: 'asc',
      page: 3,
    });
    expect(usersSearchSchema.parse({ q: '', status: 'gone', tier: 'nope', sort: 'password', order: 'up', page: -2 })).toEqual({
      q: undefined,
      status: undefined,
      tier: undefined,
      sort: 'createdAt',
      order: 'desc',
      page: 1,
    });
  });
});

describe('audit search', () => {
  it('turns whole days into an inclusive UTC range', () => {
    const s = auditSearchSchema.parse({ action: 'key.', from: '2026-11-01', to: '2026-11-30', before: '120' });
    expect(auditInput(s)).toEqual({
      actor: undefined,
      action: 'key.',
      targetType: undefined,
      targetId: undefined,
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-30T23:59:59.999Z',
      before: 120,
      limit: 50,
    });
  });
  it('drops malformed dates and cursors', () => {
    expect(auditSearchSchema.parse({ from: '2026-13-45', to: 'yesterday', before: 'x' })).toMatchObject({ from: undefined, to: undefined, before: undefined });
  });
});

describe('playground search', () => {
  it('keeps known sources only when all are known', () => {
    expect(playgroundSearchSchema.parse({ sources: ['kb', 'wiki'] }).sources).toEqual(['kb', 'wiki']);
    expect(playgroundSearchSchema.parse({ sources: ['kb', 'nope'] }).sources).toBeUndefined();
    expect(playgroundSearchSchema.parse({}).mode).toBe('demo');
  });
});

describe('billing search', () => {
  it('keeps a known state, an event id and a cursor, and drops anything else', () => {
    const id = '11111111-1111-4111-8111-111111111111';
    expect(billingSearchSchema.parse({ state: 'unmatched', event: id, cursor: id })).toEqual({ state: 'unmatched', event: id, cursor: id });
    expect(billingSearchSchema.parse({ state: 'lost', event: 'x', cursor: 42, tab: 'billing' })).toEqual({ state: undefined, event: undefined, cursor: undefined });
  });

  it('knows the user page\'s Billing tab', () => {
    expect(userSearchSchema.parse({ tab: 'billing' })).toEqual({ tab: 'billing' });
  });
});

import { describe, expect, it } from 'vitest';
import { safeNext, validatePlanSearch, validateSignInSearch, validateTokenSearch } from './search.ts';

describe('safeNext', () => {
  it('keeps paths inside the signed-in portal, with their query', () => {
    expect(safeNext('/app')).toBe('/app');
    expect(safeNext('/app/keys')).toBe('/app/keys');
    expect(safeNext('/app/account?tab=sessions')).toBe('/app/account?tab=sessions');
  });

  it('drops other origins, the admin app, public pages and look-alikes', () => {
    for (const bad of ['https://evil.example/app', '//evil.example/app', '/admin/users', '/login', '/', '/apples', 'app/keys', 42, undefined, `/app/${'x'.repeat(2000)}`]) {
      expect(safeNext(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('search params', () => {
  it('never fails a screen over a bad value', () => {
    expect(validateSignInSearch({ next: ['/app'] })).toEqual({ next: undefined });
    expect(validateSignInSearch({ next: '/app/plan' })).toEqual({ next: '/app/plan' });
    expect(validateTokenSearch({})).toEqual({ token: undefined });
    expect(validateTokenSearch({ token: { a: 1 } })).toEqual({ token: undefined });
    expect(validateTokenSearch({ token: 'x'.repeat(501) })).toEqual({ token: undefined });
  });

  it('keeps a token as text, even one the router read as a number', () => {
    expect(validateTokenSearch({ token: 'abc' })).toEqual({ token: 'abc' });
    expect(validateTokenSearch({ token: 12 })).toEqual({ token: '12' });
  });
});

describe('the Plan screen\'s search', () => {
  it('knows only the way back from checkout', () => {
    expect(validatePlanSearch({ checkout: 'done' })).toEqual({ checkout: 'done' });
    expect(validatePlanSearch({ checkout: 'yes' })).toEqual({ checkout: undefined });
    expect(validatePlanSearch({})).toEqual({ checkout: undefined });
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalHeader, curlCommand, maskKey, pickHeaders, shellQuote, typedClientSnippet, type PlaygroundRequest } from './snippets.ts';

const KEY = 'hm_AbCd1234efGhIjKlMnOpQrStUvWxYz0123';
const base: PlaygroundRequest = { baseUrl: 'http://localhost:3000/', query: "Ada's rate limiting", sources: ['kb', 'wiki'], limit: 5, apiKey: KEY, revealKey: false };

describe('curl', () => {
  it('quotes for a POSIX shell, including single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
  it('reads the key from the environment unless asked to include it', () => {
    expect(curlCommand(base)).toBe(
      [
        `curl -sS -X POST 'http://localhost:3000/api/v1/data'`,
        `-H "X-API-Key: $HARMONIC_KEY"`,
        `-H 'Content-Type: application/json'`,
        `-d '{"query":"Ada'\\''s rate limiting","sources":["kb","wiki"],"limit":5}'`,
      ].join(' \\\n  '),
    );
    expect(curlCommand({ ...base, revealKey: true })).toContain(`-H 'X-API-Key: ${KEY}'`);
  });
  it('sends no key header in demo mode', () => {
    expect(curlCommand({ ...base, apiKey: null })).not.toContain('X-API-Key');
  });
});

describe('typed client snippet', () => {
  it('builds the same call through @harmonic/client', () => {
    const s = typedClientSnippet(base);
    expect(s).toContain(`import { createHarmonicClient } from '@harmonic/client';`);
    expect(s).toContain(`baseUrl: "http://localhost:3000",`);
    expect(s).toContain('apiKey: process.env.HARMONIC_KEY!,');
    expect(s).toContain(`harmonic.data.fetch.mutate({ query: "Ada's rate limiting", sources: ["kb", "wiki"], limit: 5 })`);
    expect(typedClientSnippet({ ...base, revealKey: true })).toContain(`apiKey: "${KEY}",`);
    expect(typedClientSnippet({ ...base, apiKey: null })).toContain('demo mode is for keyless REST calls only');
  });
});

describe('headers', () => {
  it('picks the rate-limit headers in a stable order with their documented names', () => {
    const h = new Headers({ 'x-ratelimit-used': '3', 'content-type': 'application/json', 'x-ratelimit-limit': '1000', ratelimit: '"monthly";r=997;t=10', 'x-user-id': 'u1' });
    expect(pickHeaders(h)).toEqual([
      { name: 'X-RateLimit-Limit', value: '1000' },
      { name: 'X-RateLimit-Used', value: '3' },
      { name: 'RateLimit', value: '"monthly";r=997;t=10' },
      { name: 'X-User-Id', value: 'u1' },
    ]);
    expect(canonicalHeader('ratelimit-policy')).toBe('RateLimit-Policy');
    expect(canonicalHeader('retry-after')).toBe('Retry-After');
  });
  it('masks a key', () => {
    expect(maskKey(KEY)).toBe('hm_AbCd1234…');
  });
});

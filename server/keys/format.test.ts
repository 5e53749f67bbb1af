import { describe, expect, it } from 'vitest';
import { API_KEY_FORMAT, generateKey, keyDigest, MANAGEMENT_KEY_FORMAT, maskKey, parseKey } from './format.ts';

describe('API key format', () => {
  it('is hm_ plus 32 characters from [A-Za-z0-9]', () => {
    for (let i = 0; i < 200; i++) expect(generateKey().key).toMatch(/^hm_[A-Za-z0-9]{32}$/);
  });

  it('carries its lookup id in clear and parses back to it', () => {
    const { key, lookupId } = generateKey();
    expect(lookupId).toHaveLength(8);
    expect(key.slice(3, 11)).toBe(lookupId);
    expect(parseKey(key)).toEqual({ lookupId });
  });

  it('refuses a key with one character changed, by checksum alone', () => {
    const { key } = generateKey();
    for (const at of [3, 12, 20, 30, 34]) {
      const c = key[at] === 'a' ? 'b' : 'a';
      expect(parseKey(key.slice(0, at) + c + key.slice(at + 1)), `changed at ${at}`).toBeNull();
    }
  });

  it('refuses malformed keys', () => {
    for (const bad of ['', 'hm_', 'hm_short', `xx_${'a'.repeat(32)}`, `hm_${'a'.repeat(31)}!`, `hm_${'a'.repeat(33)}`, ` hm_${'a'.repeat(32)}`]) {
      expect(parseKey(bad), bad).toBeNull();
    }
  });

  it('draws keys from a CSPRNG: no repeats and every character used', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey().key));
    expect(keys.size).toBe(2000);
    const chars = new Set([...keys].join('').slice(0));
    expect(chars.size).toBeGreaterThanOrEqual(62);
  });

  it('masks as hm_ + lookup id + ellipsis, and digests without keeping the key', () => {
    const { key, lookupId } = generateKey();
    expect(maskKey(lookupId)).toBe(`hm_${lookupId}…`);
    expect(keyDigest(key)).not.toContain(key.slice(11));
    expect(keyDigest(key)).toBe(keyDigest(key));
  });
});

describe('management key format', () => {
  it('is hmm_ plus 32 characters, masked with its prefix, and parses back to its lookup id', () => {
    const { key, lookupId } = MANAGEMENT_KEY_FORMAT.generate();
    expect(key).toMatch(/^hmm_[A-Za-z0-9]{32}$/);
    expect(MANAGEMENT_KEY_FORMAT.parse(key)).toEqual({ lookupId });
    expect(MANAGEMENT_KEY_FORMAT.mask(lookupId)).toBe(`hmm_${lookupId}…`);
  });

  it('is never taken for an API key, nor the reverse, even with the prefix edited', () => {
    const management = MANAGEMENT_KEY_FORMAT.generate().key;
    const api = API_KEY_FORMAT.generate().key;
    expect(API_KEY_FORMAT.parse(management)).toBeNull();
    expect(MANAGEMENT_KEY_FORMAT.parse(api)).toBeNull();
    // Same body under the other prefix: the checksum covers the prefix.
    expect(MANAGEMENT_KEY_FORMAT.parse(`hmm_${api.slice(3)}`)).toBeNull();
    expect(API_KEY_FORMAT.parse(`hm_${management.slice(4)}`)).toBeNull();
  });
});

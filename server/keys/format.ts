import { hash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_KEY_PATTERN } from '../../shared/keys.ts';
import { MANAGEMENT_KEY_PATTERN, MANAGEMENT_KEY_PREFIX } from '../../shared/management.ts';

/**
 * Key layout: a prefix (`hm_` for API keys, `hmm_` for management keys) + 32
 * characters from [A-Za-z0-9]:
 *
 *   hm_ LLLLLLLL SSSSSSSSSSSSSSSSSS CCCCCC
 *       lookup   secret             checksum
 *       (8)      (18, ~107 bits)    (6: CRC-32 of the rest, base62)
 *
 * The lookup id is not secret: it finds the row, and it is what lists show
 * (`hm_AbCd1234…`). The checksum lets a mistyped or made-up key be refused
 * without touching the database, as GitHub's tokens do. The checksum covers the
 * prefix, so an API key with its prefix edited into `hmm_` is refused too.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const KEY_PREFIX = 'hm_';
export const LOOKUP_LENGTH = 8;
const SECRET_LENGTH = 18;
const CHECKSUM_LENGTH = 6;

function randomBase62(length: number): string {
  let out = '';
  // randomInt draws from the CSPRNG without modulo bias.
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export interface GeneratedKey {
  key: string;
  lookupId: string;
}

/** One kind of key: its prefix and the pattern a presented key must match. */
export interface KeyFormat {
  prefix: string;
  generate(): GeneratedKey;
  /** Assembles a well-formed key (with its checksum) from its parts. */
  build(lookupId: string, secret: string): string;
  /** The lookup id of a well-formed key whose checksum matches; null for anything else. */
  parse(presented: string): { lookupId: string } | null;
  mask(lookupId: string): string;
}

export function keyFormat(prefix: string, pattern: RegExp): KeyFormat {
  const build = (lookupId: string, secret: string) => {
    const body = `${prefix}${lookupId}${secret}`;
    return `${body}${checksum(body)}`;
  };
  return {
    prefix,
    build,
    generate() {
      const lookupId = randomBase62(LOOKUP_LENGTH);
      return { key: build(lookupId, randomBase62(SECRET_LENGTH)), lookupId };
    },
    parse(presented) {
      if (!pattern.test(presented)) return null;
      const body = presented.slice(0, -CHECKSUM_LENGTH);
      if (checksum(body) !== presented.slice(-CHECKSUM_LENGTH)) return null;
      return { lookupId: presented.slice(prefix.length, prefix.length + LOOKUP_LENGTH) };
    },
    mask: (lookupId) => `${prefix}${lookupId}…`,
  };
}

export const API_KEY_FORMAT = keyFormat(KEY_PREFIX, API_KEY_PATTERN);
export const MANAGEMENT_KEY_FORMAT = keyFormat(MANAGEMENT_KEY_PREFIX, MANAGEMENT_KEY_PATTERN);

export const generateKey = (): GeneratedKey => API_KEY_FORMAT.generate();
export const buildKey = (lookupId: string, secret: string): string => API_KEY_FORMAT.build(lookupId, secret);
export const parseKey = (presented: string): { lookupId: string } | null => API_KEY_FORMAT.parse(presented);
export const maskKey = (lookupId: string): string => API_KEY_FORMAT.mask(lookupId);

/** Cache key for a presented key: its SHA-256, so the cache never holds a plaintext key. */
export function keyDigest(presented: string): string {
  // One-shot crypto.hash: no Hash object per request (this runs on every keyed call).
  return hash('sha256', presented, 'base64url');
}

import { hash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_KEY_PATTERN } from '../../shared/keys.ts';

/**
 * Key layout: `hm_` + 32 characters from [A-Za-z0-9]:
 *
 *   hm_ LLLLLLLL SSSSSSSSSSSSSSSSSS CCCCCC
 *       lookup   secret             checksum
 *       (8)      (18, ~107 bits)    (6: CRC-32 of the rest, base62)
 *
 * The lookup id is not secret: it finds the row, and it is what lists show
 * (`hm_AbCd1234…`). The checksum lets a mistyped or made-up key be refused
 * without touching the database, as GitHub's tokens do.
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

export function generateKey(): GeneratedKey {
  const lookupId = randomBase62(LOOKUP_LENGTH);
  return { key: buildKey(lookupId, randomBase62(SECRET_LENGTH)), lookupId };
}

/** Assembles a well-formed key (with its checksum) from its parts. */
export function buildKey(lookupId: string, secret: string): string {
  const body = `${KEY_PREFIX}${lookupId}${secret}`;
  return `${body}${checksum(body)}`;
}

/** The lookup id of a well-formed key whose checksum matches; null for anything else. */
export function parseKey(presented: string): { lookupId: string } | null {
  if (!API_KEY_PATTERN.test(presented)) return null;
  const body = presented.slice(0, -CHECKSUM_LENGTH);
  if (checksum(body) !== presented.slice(-CHECKSUM_LENGTH)) return null;
  return { lookupId: presented.slice(KEY_PREFIX.length, KEY_PREFIX.length + LOOKUP_LENGTH) };
}

export function maskKey(lookupId: string): string {
  return `${KEY_PREFIX}${lookupId}…`;
}

/** Cache key for a presented key: its SHA-256, so the cache never holds a plaintext key. */
export function keyDigest(presented: string): string {
  // One-shot crypto.hash: no Hash object per request (this runs on every keyed call).
  return hash('sha256', presented, 'base64url');
}

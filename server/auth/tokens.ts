import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The secrets a browser or an emailed link holds (session cookies, CSRF tokens, link tokens):
 * 256 random bits, so a single SHA-256 is enough to store them (no salt or stretching, unlike
 * passwords), and a stolen table holds nothing that signs anyone in.
 */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Constant-time comparison of a presented token (e.g. the X-CSRF-Token header) with the expected one. */
export function tokensMatch(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

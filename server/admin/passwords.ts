import { randomInt } from 'node:crypto';

// No look-alikes (0/O, 1/l/I), so a password read off a terminal can be typed back.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A strong generated password: 24 characters, about 140 bits, in groups of six for reading aloud. */
export function generatePassword(): string {
  const chars = Array.from({ length: 24 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return chars.match(/.{6}/g)?.join('-') ?? chars;
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Endpoint signing secrets at rest. Harmonic must sign with them, so they cannot
 * be hashed like API keys; they are encrypted with AES-256-GCM under one server
 * key, and the endpoint's id is the associated data, so a ciphertext copied onto
 * another endpoint's row does not decrypt. The database alone never yields a secret.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_FILE = 'secret.key';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.key = key;
  }

  /** `v1:` and base64 of IV, tag and ciphertext. */
  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Throws when the key is not the one it was sealed under, or the text or its associated data changed. */
  open(sealed: string, associatedData: string): string {
    const [version, encoded] = sealed.split(':');
    if (version !== VERSION || !encoded) throw new Error('not a sealed secret');
    const raw = Buffer.from(encoded, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

/**
 * The server key: HARMONIC_SECRET_KEY when set, else `secret.key` in the data
 * directory, made (mode 0600) on the first start. Made with `wx`, so two
 * processes starting together on one directory end up with the same key.
 */
export function loadSecretKey(opts: { configured: Buffer | undefined; dataDir: string }): Buffer {
  if (opts.configured) return opts.configured;
  const file = path.join(opts.dataDir, SECRET_KEY_FILE);
  const read = () => {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold 32 bytes in base64; restore it, or set HARMONIC_SECRET_KEY`);
    return key;
  };
  if (fs.existsSync(file)) return read();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read();
}

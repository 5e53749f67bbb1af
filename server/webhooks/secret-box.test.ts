import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSecretKey, SecretBox, SECRET_KEY_FILE } from './secret-box.ts';

describe('endpoint secrets at rest', () => {
  it('open only under the same key and the same endpoint id, and never hold the plaintext', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('whsec_abc', 'endpoint-1');
    expect(sealed).not.toContain('whsec_abc');
    expect(Buffer.from(sealed.slice(3), 'base64').toString('latin1')).not.toContain('whsec_abc');
    expect(box.open(sealed, 'endpoint-1')).toBe('whsec_abc');
    expect(box.seal('whsec_abc', 'endpoint-1')).not.toBe(sealed);
    expect(() => box.open(sealed, 'endpoint-2')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'endpoint-1')).toThrow();
  });

  it('use HARMONIC_SECRET_KEY when set, else a key file made once with mode 0600', () => {
    const configured = randomBytes(32);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harmonic-key-'));
    try {
      expect(loadSecretKey({ configured, dataDir: dir })).toEqual(configured);
      expect(fs.existsSync(path.join(dir, SECRET_KEY_FILE))).toBe(false);
      const first = loadSecretKey({ configured: undefined, dataDir: path.join(dir, 'data') });
      const file = path.join(dir, 'data', SECRET_KEY_FILE);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadSecretKey({ configured: undefined, dataDir: path.join(dir, 'data') })).toEqual(first);
      fs.writeFileSync(file, 'short');
      expect(() => loadSecretKey({ configured: undefined, dataDir: path.join(dir, 'data') })).toThrow(/HARMONIC_SECRET_KEY/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

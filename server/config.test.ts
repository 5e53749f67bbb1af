import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('needs no environment at all: port 3000, embedded database in ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.logLevel).toBe('info');
  });

  it('reads PORT, DATABASE_URL, HARMONIC_DATA_DIR and LOG_LEVEL', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db.example:5432/harmonic',
      HARMONIC_DATA_DIR: '/var/lib/harmonic',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db.example:5432/harmonic',
      dataDir: '/var/lib/harmonic',
      logLevel: 'debug',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('rejects PORT=abc with a message naming the variable and the value', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT="abc": must be a number/);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      const issues = (err as ConfigError).issues.join('\n');
      expect(issues).toMatch(/^PORT="70000": must be between 0 and 65535/m);
      expect(issues).toMatch(/^DATABASE_URL=\(hidden\): must start with postgres/m);
      expect(issues).toMatch(/^LOG_LEVEL="loud"/m);
    }
  });

  it('never echoes a secret value in its message', () => {
    try {
      loadConfig({ HARMONIC_ADMIN_PASSWORD: 'hunter2', DATABASE_URL: 'postgres://u:s3cret@host/db?x=%' });
      expect.unreachable();
    } catch (err) {
      const message = (err as ConfigError).message;
      expect(message).toMatch(/HARMONIC_ADMIN_PASSWORD=\(hidden\): must be at least 12 characters/);
      expect(message).not.toContain('hunter2');
    }
  });

  it('reads CORS_ORIGINS as * or a list of origins, none by default', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com/, http://localhost:5173' }).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const bad of ['app.example.com', '*,https://app.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(`CORS_ORIGINS=${JSON.stringify(bad)}: must be * or a comma-separated list of origins`);
    }
  });

  it('reads the webhook settings: https only, no private networks, the secret key from HARMONIC_SECRET_KEY', () => {
    expect(loadConfig({}).webhooks).toEqual({ allowInsecure: false, allowedNetworks: [], timeoutMs: 10_000, maxResponseBytes: 65_536, secretKey: undefined });
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(
      loadConfig({ ALLOW_INSECURE_WEBHOOKS: 'true', WEBHOOK_ALLOWED_NETWORKS: '10.1.0.0/16, 192.168.1.5', WEBHOOK_TIMEOUT_MS: '2000', HARMONIC_SECRET_KEY: key }).webhooks,
    ).toEqual({ allowInsecure: true, allowedNetworks: ['10.1.0.0/16', '192.168.1.5'], timeoutMs: 2000, maxResponseBytes: 65_536, secretKey: Buffer.alloc(32, 1) });
    expect(() => loadConfig({ WEBHOOK_ALLOWED_NETWORKS: 'intranet' })).toThrow('WEBHOOK_ALLOWED_NETWORKS="intranet": must be a comma-separated list of IP addresses or CIDR ranges');
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(() => loadConfig({ HARMONIC_SECRET_KEY: short })).toThrow('HARMONIC_SECRET_KEY=(hidden): must be 32 bytes in base64');
    expect(() => loadConfig({ HARMONIC_SECRET_KEY: short })).not.toThrow(short);
  });
});

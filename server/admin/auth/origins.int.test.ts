import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../testing/admin.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { ownOrigins } from './origins.ts';

/** A sign-in with exactly these headers; fetch would not let a test forge Host. */
function signInWith(server: TestServer, headers: Record<string, string>, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/trpc/auth.signIn`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let server: TestServer;
let port: string;
beforeAll(async () => {
  // TRUST_PROXY trusts the loopback test client, so X-Forwarded-Host would be believed if it mattered.
  server = await startTestServer({ env: { PUBLIC_URL: 'https://admin.example.com/harmonic/', TRUST_PROXY: 'true' } });
  port = new URL(server.url).port;
});
afterAll(() => server.close());

describe('without ALLOWED_ORIGINS', () => {
  it('a forged Host (or X-Forwarded-Host) header does not make a foreign Origin allowed', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    expect(await signInWith(server, { host: 'evil.example', origin: 'http://evil.example' }, { email, password })).toBe(403);
    expect(await signInWith(server, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, { email, password })).toBe(403);
    expect(await signInWith(server, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', origin: 'https://evil.example' }, { email, password })).toBe(403);
  });

  it('allows PUBLIC_URL and the listen address on its port', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    for (const origin of ['https://admin.example.com', `http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
      expect(await signInWith(server, { origin }, { email, password }), origin).toBe(200);
    }
    expect(await signInWith(server, { origin: 'http://localhost:1' }, { email, password })).toBe(403);
  });

  it('names a specific HOST too, and nothing for a wildcard one', () => {
    const address = { address: '192.0.2.10', family: 'IPv4', port: 8080 };
    expect(ownOrigins({ publicUrl: undefined, host: '192.0.2.10' }, address)).toEqual([
      'http://localhost:8080',
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
      'http://192.0.2.10:8080',
    ]);
    expect(ownOrigins({ publicUrl: undefined, host: '2001:db8::5' }, address)).toContain('http://[2001:db8::5]:8080');
    expect(ownOrigins({ publicUrl: 'http://harmonic.internal', host: '0.0.0.0' }, { ...address, port: 80 })).toEqual([
      'http://harmonic.internal',
      'http://localhost',
      'http://127.0.0.1',
      'http://[::1]',
    ]);
  });
});

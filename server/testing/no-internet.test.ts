import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, takeViolations } from './no-internet.ts';

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('local'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the no-internet guard', () => {
  it('refuses fetch to a public host, naming the URL, and records it so the test would fail', async () => {
    await expect(fetch('https://en.wikipedia.org/w/rest.php/v1/search/page?q=x')).rejects.toThrow(
      /No internet in tests: refused fetch https:\/\/en\.wikipedia\.org\/w\/rest\.php/,
    );
    expect(takeViolations()).toHaveLength(1);
  });

  it('refuses raw TCP connections to a public host before any DNS lookup', () => {
    expect(() => net.connect(443, 'example.com')).toThrow(/refused a TCP connection to example\.com/);
    expect(() => net.connect({ host: '93.184.216.34', port: 80 })).toThrow(/93\.184\.216\.34/);
    expect(takeViolations()).toHaveLength(2);
  });

  it('refuses node:http requests too (they go through the socket layer)', async () => {
    // The agent connects synchronously, so the refusal surfaces as a throw (or, on other Node versions, an error event).
    const failed = new Promise<Error>((resolve) => {
      try {
        http.get('http://example.org/', () => resolve(new Error('unexpected response'))).on('error', resolve);
      } catch (err) {
        resolve(err as Error);
      }
    });
    expect((await failed).message).toMatch(/refused a TCP connection to example\.org/);
    expect(takeViolations()).toHaveLength(1);
  });

  it('lets loopback through', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('local');
    expect(await (await fetch(`http://localhost:${port}/`)).text()).toBe('local');
    expect(takeViolations()).toEqual([]);
  });

  it('knows which hosts are loopback', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'app.localhost']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ['example.com', '10.0.0.1', '192.168.1.1', '::ffff:8.8.8.8', 'localhost.example.com', '2001:db8::1']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { WebhooksConfig } from './config.ts';
import { endpointUrlProblem, OutboundClient } from './outbound.ts';
import { newEndpointSecret, signatureHeaders } from './signing.ts';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local receiver whose answer each path decides. */
let receiver: http.Server;
let port = 0;
const received: Received[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/large') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(2_000_000));
      } else if (req.url === '/silent') {
        // Never answers: the sender's time bound must end it.
      } else if (req.url === '/fail') {
        res.writeHead(503).end('down for maintenance');
      } else {
        res.writeHead(200).end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const config = (over: Partial<WebhooksConfig> = {}): WebhooksConfig => ({
  allowInsecure: true,
  allowedNetworks: [],
  timeoutMs: 10_000,
  maxResponseBytes: 65_536,
  secretKey: undefined,
  ...over,
});

/** A resolver where `internal.localhost` is a private address and `loopback.localhost` is 127.0.0.2 (names under .localhost, which the tests' no-internet guard lets through to the resolver). */
const lookup: LookupFunction = (hostname, options, callback) => {
  const address = hostname === 'internal.localhost' ? '10.0.0.5' : hostname === 'loopback.localhost' ? '127.0.0.2' : undefined;
  if (!address) {
    callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
    return;
  }
  if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
  else callback(null, address, 4);
};

const post = (client: OutboundClient, url: string) => client.post({ url, body: '{"type":"test"}', headers: {} });

describe('webhook endpoint URLs', () => {
  it('must be https; http only for localhost, and only when insecure webhooks are allowed', () => {
    expect(endpointUrlProblem('https://hooks.example.com/x', { allowInsecure: false })).toBeNull();
    expect(endpointUrlProblem('http://hooks.example.com/x', { allowInsecure: false })).toBe('must use https');
    expect(endpointUrlProblem('http://localhost:8080/x', { allowInsecure: false })).toBe('must use https');
    expect(endpointUrlProblem('http://localhost:8080/x', { allowInsecure: true })).toBeNull();
    expect(endpointUrlProblem('http://127.0.0.1:8080/x', { allowInsecure: true })).toBe('must use https (http is allowed only for localhost)');
    expect(endpointUrlProblem('ftp://hooks.example.com/', { allowInsecure: true })).toBe('must use https');
    expect(endpointUrlProblem('https://user:pw@hooks.example.com/', { allowInsecure: false })).toBe('must not carry a user name or password');
    expect(endpointUrlProblem('not a url', { allowInsecure: false })).toBe('must be a URL such as https://example.com/webhooks');
  });
});

describe('outgoing webhook requests', () => {
  it('deliver a body the receiver verifies with the Standard Webhooks library', async () => {
    const secret = newEndpointSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({ type: 'quota.threshold_reached', data: { threshold: 80 } });
    const headers = signatureHeaders(secret, 'msg_1', new Date(), body);
    const result = await new OutboundClient({ config: config() }).post({ url: `http://localhost:${port}/hook`, body, headers });
    expect(result).toMatchObject({ outcome: 'delivered', status: 200, responsePreview: 'ok', error: null });
    const got = received.find((r) => r.path === '/hook');
    expect(got?.body).toBe(body);
    const h = got?.headers ?? {};
    const verified = new Webhook(secret).verify(got?.body ?? '', {
      'webhook-id': String(h['webhook-id']),
      'webhook-timestamp': String(h['webhook-timestamp']),
      'webhook-signature': String(h['webhook-signature']),
    });
    expect(verified).toEqual(JSON.parse(body));
    expect(() => new Webhook(newEndpointSecret()).verify(got?.body ?? '', { ...headers })).toThrow();
  });

  it('refuse loopback, private, link-local and metadata addresses without sending anything', async () => {
    const client = new OutboundClient({ config: config(), lookup });
    const before = received.length;
    const cases = {
      'http://127.0.0.1': await post(client, `http://127.0.0.1:${port}/`),
      'https://127.0.0.1': await post(client, `https://127.0.0.1:${port}/`),
      'https://[::1]': await post(client, `https://[::1]:${port}/`),
      'https://[::ffff:127.0.0.1]': await post(client, `https://[::ffff:127.0.0.1]:${port}/`),
      'https://169.254.169.254': await post(client, 'https://169.254.169.254/latest/meta-data/'),
      'https://10.1.2.3': await post(client, 'https://10.1.2.3/'),
      'https://[fd00::1]': await post(client, 'https://[fd00::1]/'),
      'https://0.0.0.0': await post(client, `https://0.0.0.0:${port}/`),
      'https://internal.localhost (resolves to 10.0.0.5)': await post(client, 'https://internal.localhost/hook'),
      'https://loopback.localhost (resolves to 127.0.0.2)': await post(client, `https://loopback.localhost:${port}/hook`),
    };
    for (const [url, result] of Object.entries(cases)) {
      expect(result.outcome, url).toBe('refused');
      expect(result.status, url).toBeNull();
    }
    expect(cases['https://internal.localhost (resolves to 10.0.0.5)'].error).toBe(
      'Refused: 10.0.0.5 (internal.localhost) is a loopback, private, link-local or reserved address; allow it with WEBHOOK_ALLOWED_NETWORKS',
    );
    expect(received.length).toBe(before);
  });

  it('reach a private address that WEBHOOK_ALLOWED_NETWORKS names', async () => {
    const client = new OutboundClient({ config: config({ allowedNetworks: ['127.0.0.2'] }), lookup });
    // Allowed through the filter; the receiver speaks http, not TLS, so the handshake fails instead.
    const result = await post(client, `https://loopback.localhost:${port}/hook`);
    expect(result.outcome).toBe('network_error');
  });

  it('never follow a redirect', async () => {
    const result = await post(new OutboundClient({ config: config() }), `http://localhost:${port}/redirect`);
    expect(result).toMatchObject({ outcome: 'http_error', status: 302, error: 'Answered 302 (redirects are not followed)' });
  });

  it('record a failing status with the start of its body', async () => {
    const result = await post(new OutboundClient({ config: config() }), `http://localhost:${port}/fail`);
    expect(result).toMatchObject({ outcome: 'http_error', status: 503, responsePreview: 'down for maintenance', error: 'Answered 503' });
  });

  it('stop reading a large answer at the bound', async () => {
    const result = await post(new OutboundClient({ config: config({ maxResponseBytes: 10_000 }) }), `http://localhost:${port}/large`);
    expect(result.outcome).toBe('delivered');
    expect(result.responsePreview.length).toBe(1024);
  });

  it('give up on an endpoint that never answers', async () => {
    const result = await post(new OutboundClient({ config: config({ timeoutMs: 200 }) }), `http://localhost:${port}/silent`);
    expect(result).toMatchObject({ outcome: 'timeout', status: null, error: 'No answer within 200 ms' });
  });

  it('refuse http to localhost unless insecure webhooks are allowed', async () => {
    const before = received.length;
    const result = await post(new OutboundClient({ config: config({ allowInsecure: false }) }), `http://localhost:${port}/hook`);
    expect(result).toMatchObject({ outcome: 'refused', error: 'The URL must use https' });
    expect(received.length).toBe(before);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, and whether the Standard Webhooks library verified it. */
export interface ReceivedWebhook {
  path: string;
  id: string;
  timestamp: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Verified with the secret registered for its path; false if no secret is known or verification failed. */
  verified: boolean;
  /** The status the receiver answered. */
  answered: number;
}

/**
 * A local webhook receiver on http://localhost (ALLOW_INSECURE_WEBHOOKS=true): each path is one
 * endpoint, verified with its secret by the `standardwebhooks` reference library; `down` makes
 * it answer 503 until it is back.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  down = false;
  /** Paths answered with a redirect to this location instead. */
  readonly redirects = new Map<string, string>();
  private readonly secrets = new Map<string, string>();
  private readonly server: http.Server;
  private port = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
        const secret = this.secrets.get(path);
        let verified = false;
        try {
          if (secret) {
            new Webhook(secret).verify(body, headers);
            verified = true;
          }
        } catch {
          verified = false;
        }
        const redirect = this.redirects.get(path);
        const answered = redirect ? 302 : this.down ? 503 : 200;
        this.received.push({ path, id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], body, payload: JSON.parse(body || '{}'), verified, answered });
        if (redirect) res.writeHead(302, { location: redirect }).end();
        else res.writeHead(answered).end(this.down ? 'down' : 'ok');
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The endpoint URL for `path` (e.g. `/a`). */
  url(path: string): string {
    return `http://localhost:${this.port}${path}`;
  }

  /** The secret the endpoint at `path` was given, to verify its deliveries. */
  trust(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Waits (a ceiling for a hang, not a speed target) until `path` has received what `done` asks for. */
  async waitFor(path: string, done: (got: ReceivedWebhook[]) => boolean, timeoutMs = 60_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.at(path);
      if (done(got)) return got;
      if (Date.now() > deadline) throw new Error(`${path} did not receive what was expected in ${timeoutMs} ms; got ${JSON.stringify(got.map((g) => [g.id, g.payload.type, g.answered]))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Polls `check` until it returns a value (not undefined); the deadline is a ceiling for a hang. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
